// A small client of the Connect protocol (Buf's public specification) over
// Node's global fetch, for the tests to set up state and check it behind the
// browser's back: unary calls with JSON bodies, and server streams of
// enveloped JSON messages.

// An error answer of a Connect call: `code` is the Connect code
// ("permission_denied"), `reason` the google.rpc.ErrorInfo reason when the
// server put it in a detail's "debug" form.
export class ConnectError extends Error {
  constructor(method, httpStatus, body) {
    const code = (body && body.code) || `http_${httpStatus}`;
    super(`${method}: ${code}: ${(body && body.message) || '(no message)'}`);
    this.method = method;
    this.httpStatus = httpStatus;
    this.code = code;
    this.details = (body && body.details) || [];
    this.reason = errorReason(this.details);
  }
}

function errorReason(details) {
  for (const d of details) {
    if (d && d.debug && typeof d.debug.reason === 'string') return d.debug.reason;
  }
  return '';
}

// The proto3 JSON mapping prints lowerCamelCase names; a server that keeps
// the proto's names prints snake_case. Reads either.
export function field(message, camelName) {
  if (message == null) return undefined;
  if (camelName in message) return message[camelName];
  const snake = camelName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return message[snake];
}

const kHeaders = { 'Connect-Protocol-Version': '1' };

// POST /<service>/<method> with a JSON body; the decoded JSON answer, or a
// ConnectError.
export async function unary(baseUrl, method, request, token, { timeoutMs = 15000 } = {}) {
  const headers = { ...kHeaders, 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(request ?? {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { code: `http_${response.status}`, message: `not JSON: ${text.slice(0, 200)}` };
  }
  if (response.status !== 200) throw new ConnectError(method, response.status, body);
  return body;
}

// One Connect envelope: flags byte, 4-byte big-endian length, payload.
export function envelope(message, flags = 0) {
  const payload = Buffer.from(JSON.stringify(message), 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

// A server-streaming call: yields each message; ends at the end-of-stream
// envelope, throwing a ConnectError if it carries one. `signal` cancels it.
export async function* serverStream(baseUrl, method, request, token, { signal } = {}) {
  const headers = { ...kHeaders, 'Content-Type': 'application/connect+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/${method}`, {
    method: 'POST',
    headers,
    body: envelope(request ?? {}),
    signal,
  });
  if (response.status !== 200) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw new ConnectError(method, response.status, body);
  }
  const reader = response.body.getReader();
  let buffer = Buffer.alloc(0);
  try {
    for (;;) {
      while (buffer.length >= 5) {
        const flags = buffer.readUInt8(0);
        const length = buffer.readUInt32BE(1);
        if (buffer.length < 5 + length) break;
        const payload = buffer.subarray(5, 5 + length).toString('utf8');
        buffer = buffer.subarray(5 + length);
        if (flags & 0x01) throw new Error(`${method}: compressed envelope, none was asked for`);
        const message = payload ? JSON.parse(payload) : {};
        if (flags & 0x02) {
          if (message.error) throw new ConnectError(method, 200, message.error);
          return;
        }
        yield message;
      }
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(`${method}: stream ended without its end-of-stream envelope`);
      }
      buffer = Buffer.concat([buffer, Buffer.from(value)]);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
