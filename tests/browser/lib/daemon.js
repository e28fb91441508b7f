// Starts the real makegoodd on loopback ports chosen by the kernel, with a
// SQLite file in a fresh temporary directory, and stops it again.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

export const kReadyTimeoutMs = 20000;
export const kStopTimeoutMs = 10000;

// Daemons still running when this process exits (a test that timed out, a
// killed run) are killed with it rather than left behind.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// The line makegoodd prints on stdout once both listeners are up.
const kReadyLine = /^makegoodd \S+ listening on (\S+):(\d+), http on (\S+):(\d+)\s*$/;

export function daemonBinary() {
  const bin = process.env.MAKEGOODD_BIN;
  if (!bin) {
    throw new Error(
      'MAKEGOODD_BIN is not set: run these tests through ctest (ctest --preset dev -R browser), ' +
        'or set MAKEGOODD_BIN to the built makegoodd (build/dev/src/daemon/makegoodd)',
    );
  }
  if (!fs.existsSync(bin)) throw new Error(`MAKEGOODD_BIN=${bin} does not exist: build makegoodd first`);
  return bin;
}

export function sampleConfig() {
  return (
    process.env.MAKEGOOD_SAMPLE_CONFIG || path.join(repoRoot, 'packaging', 'config', 'sample.yaml')
  );
}

// A running makegoodd. `baseUrl` is its HTTP listener (the web app and the
// Connect protocol); `stderr()` is what it logged so far.
export class Daemon {
  constructor(child, dir, stderrPath, grpc, http) {
    this.child = child;
    this.dir = dir;
    this.stderrPath = stderrPath;
    this.grpcAddress = grpc;
    this.httpAddress = http;
    this.baseUrl = `http://${http}`;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  stderr() {
    try {
      return fs.readFileSync(this.stderrPath, 'utf8');
    } catch {
      return '';
    }
  }

  // SIGTERM, then SIGKILL if it has not exited within kStopTimeoutMs. Removes
  // the temporary directory unless `keep` (then its path is printed).
  async stop({ keep = false } = {}) {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      let timer;
      const killed = new Promise((resolve) => {
        timer = setTimeout(() => {
          process.stderr.write(`makegoodd did not stop on SIGTERM within ${kStopTimeoutMs} ms; SIGKILL\n`);
          this.child.kill('SIGKILL');
          resolve();
        }, kStopTimeoutMs);
      });
      await Promise.race([this.exited, killed]);
      await this.exited;
      clearTimeout(timer);
    }
    if (keep) {
      process.stderr.write(`kept makegoodd's directory: ${this.dir}\n`);
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

// Starts makegoodd and resolves when it printed its ready line; rejects with
// its stderr if it exits first or says nothing within kReadyTimeoutMs.
export async function startDaemon({ config = sampleConfig(), extraArgs = [] } = {}) {
  const bin = daemonBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'makegood-browser-'));
  const stderrPath = path.join(dir, 'makegoodd.stderr.log');
  const stderrFd = fs.openSync(stderrPath, 'w');
  const args = [
    '--config', config,
    '--listen', '127.0.0.1:0',
    '--http', '127.0.0.1:0',
    '--db', path.join(dir, 'makegood.db'),
    ...extraArgs,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', stderrFd], cwd: dir });
  fs.closeSync(stderrFd);
  running.add(child);
  child.once('exit', () => running.delete(child));

  const failure = (what) => {
    let log = '';
    try {
      log = fs.readFileSync(stderrPath, 'utf8');
    } catch {
      log = '(no stderr log)';
    }
    return new Error(`makegoodd ${what}\ncommand: ${bin} ${args.join(' ')}\nstderr:\n${log}`);
  };

  const ready = await new Promise((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(reject, failure(`printed no ready line within ${kReadyTimeoutMs} ms; stdout: ${JSON.stringify(stdout)}`));
    }, kReadyTimeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      for (const line of stdout.split('\n')) {
        const m = kReadyLine.exec(line);
        if (m) settle(resolve, { grpc: `${m[1]}:${m[2]}`, http: `${m[3]}:${m[4]}` });
      }
    });
    child.once('error', (err) => settle(reject, failure(`could not be started: ${err.message}`)));
    child.once('exit', (code, signal) =>
      settle(reject, failure(`exited before it was ready (code ${code}, signal ${signal}); stdout: ${JSON.stringify(stdout)}`)),
    );
  }).catch(async (err) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });

  // Keep draining stdout so the daemon never blocks on a full pipe.
  child.stdout.resume();
  return new Daemon(child, dir, stderrPath, ready.grpc, ready.http);
}
