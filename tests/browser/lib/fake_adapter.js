// A POS adapter in the test process: holds a RemedyCommandService
// StreamCommands stream open with the adapter's token and answers the
// commands it receives with AckCommand APPLIED, at once (autoAck) or when the
// test releases them, so a test can watch a remedy go SENT, then APPLIED.

import { ConnectError, field, serverStream, unary } from './connect.js';
import { kAdapterToken } from './events.js';

const kStream = 'makegood.v1.RemedyCommandService/StreamCommands';
const kAck = 'makegood.v1.RemedyCommandService/AckCommand';

export class FakeAdapter {
  // autoAck: answer APPLIED as soon as a command arrives; otherwise hold it
  // until release().
  constructor(baseUrl, { token = kAdapterToken, autoAck = true, name = 'browser-test-adapter' } = {}) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.autoAck = autoAck;
    this.name = name;
    this.commands = []; // every delivery received, in order
    this.acked = new Map(); // command_id -> AckCommandResponse
    this.held = new Map(); // command_id -> command, waiting for release()
    this.errors = [];
    this.streamsOpened = 0;
    this.waiters = [];
    this.abort = new AbortController();
    this.stopped = false;
    this.loop = null;
  }

  start() {
    this.loop = this.run();
    return this;
  }

  async run() {
    while (!this.stopped) {
      try {
        this.streamsOpened += 1;
        for await (const command of serverStream(
          this.baseUrl,
          kStream,
          { adapterName: this.name, kinds: ['COMMAND_KIND_REMEDY'] },
          this.token,
          { signal: this.abort.signal },
        )) {
          await this.receive(command);
        }
      } catch (err) {
        if (this.stopped) return;
        this.errors.push(err);
        if (err instanceof ConnectError && (err.code === 'unauthenticated' || err.code === 'permission_denied')) {
          this.notify();
          return; // would never work: let the test see the error
        }
      }
      if (this.stopped) return;
      // The stream ended (or broke): reconnect, as a real adapter does; the
      // commands not answered are offered again.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async receive(command) {
    this.commands.push(command);
    const id = field(command, 'commandId');
    if (this.autoAck || this.acked.has(id)) {
      await this.ack(command);
    } else {
      this.held.set(id, command);
    }
    this.notify();
  }

  // Answers APPLIED, or REJECTED with `vendorReason` when one is given.
  async ack(command, { vendorReason } = {}) {
    const id = field(command, 'commandId');
    const answer = vendorReason
      ? { result: 'REJECTED', vendorReason }
      : { result: 'APPLIED', posReference: `fake-pos-${id}` };
    const response = await unary(
      this.baseUrl,
      kAck,
      { requestId: `ack-${id}`, commandId: id, ...answer },
      this.token,
    );
    this.acked.set(id, response);
    this.held.delete(id);
    this.notify();
    return response;
  }

  // Answers the held command `commandId` REJECTED, as a POS refusing it.
  async reject(commandId, vendorReason) {
    const command = this.held.get(commandId);
    if (!command) throw new Error(`fake adapter: command ${commandId} is not held`);
    return this.ack(command, { vendorReason });
  }

  // Answers every held command APPLIED, and every later one at once.
  async release() {
    this.autoAck = true;
    for (const command of [...this.held.values()]) await this.ack(command);
  }

  notify() {
    for (const waiter of [...this.waiters]) waiter();
  }

  // Resolves with the first command received that satisfies `predicate`.
  waitForCommand(predicate, { timeoutMs = 20000 } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.commands.find(predicate);
        if (found) {
          done();
          resolve(found);
          return true;
        }
        if (this.stopped) {
          done();
          reject(new Error('fake adapter stopped'));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `fake adapter: no such command within ${timeoutMs} ms; received ${JSON.stringify(this.commands)}; ` +
              `stream errors: ${this.errors.map((e) => e.message).join('; ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      if (!check()) this.waiters.push(check);
    });
  }

  async stop() {
    this.stopped = true;
    this.abort.abort();
    this.notify();
    if (this.loop) await this.loop.catch(() => {});
  }
}
