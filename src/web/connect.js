// The Connect protocol (connectrpc.com/docs/protocol) over plain fetch, JSON
// codec only: unary calls and server streams. No state here; tokens are
// passed in by session.js so this module stays a pure transport.

const PACKAGE = 'makegood.v1';

// A refusal the server (or the Connect protocol) answered with. Programs read
// `code` (Connect's lower-case name) and `reason` (makegood.v1.Error.Reason);
// people read ui.js's words for them, from the message files. The server's
// own text (English) is kept in `serverMessage`, '' when this module made
// the error up (a timeout, an answer that is not JSON): the screens show it
// only as a secondary detail, never as the sentence.
export class ConnectError extends Error {
  constructor(code, serverMessage = '', httpStatus = 0) {
    super(serverMessage || code);
    this.name = 'ConnectError';
    this.code = code;
    this.serverMessage = serverMessage || '';
    this.reason = '';
    this.metadata = {};
    this.fieldViolations = [];
    this.retryDelaySeconds = null;
    this.httpStatus = httpStatus;
  }
}

// The request never got an answer: no network, DNS, TLS, a cut connection.
// Kept apart from ConnectError because a mutation that fails this way may be
// queued and sent again with the same request id (outbox.js). `message` is
// the browser's own (for the console), never shown as the sentence.
export class OfflineError extends Error {
  constructor(browserMessage = '') {
    super(browserMessage);
    this.name = 'OfflineError';
  }
}

// Connect's mapping for an HTTP error that carries no Connect error JSON
// (a proxy's 502, say).
function codeForHttp(status) {
  return ({400: 'internal', 401: 'unauthenticated', 403: 'permission_denied',
    404: 'unimplemented', 408: 'deadline_exceeded', 429: 'unavailable',
    502: 'unavailable', 503: 'unavailable', 504: 'unavailable'})[status] || 'unknown';
}

// "300s", "1.5s" (google.protobuf.Duration in JSON) → seconds.
export function parseDuration(text) {
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(String(text || ''));
  return m ? Number(m[1]) : null;
}

// A Connect error JSON {code, message, details} → ConnectError; null (not
// Connect's JSON) → the code for the HTTP status. Also for the report page's
// refusals (views/manager.js), which are Connect error JSON too.
export function errorFrom(json, httpStatus) {
  const err = new ConnectError(json && json.code ? json.code : codeForHttp(httpStatus),
    (json && json.message) || '', httpStatus);
  for (const d of (json && json.details) || []) {
    // makegoodd sends each detail's proto JSON as "debug" (src/http/
    // connect_codec.h), so the protobuf bytes in "value" need no decoding.
    const type = String(d.type || '').replace(/^type\.googleapis\.com\//, '');
    const info = d.debug;
    if (!info) continue;
    if (type === 'google.rpc.ErrorInfo') {
      err.reason = info.reason || '';
      err.metadata = info.metadata || {};
    } else if (type === 'google.rpc.BadRequest') {
      for (const v of info.fieldViolations || []) {
        err.fieldViolations.push({field: v.field || '', description: v.description || ''});
      }
    } else if (type === 'google.rpc.RetryInfo') {
      err.retryDelaySeconds = parseDuration(info.retryDelay);
    }
  }
  return err;
}

// The proto JSON mapping prints lowerCamelCase; a server that prints the
// proto's own names (snake_case) is read the same. Responses only: error
// JSON keeps its keys.
function camel(v) {
  if (Array.isArray(v)) return v.map(camel);
  if (!v || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase())] = camel(x);
  return out;
}

function parseOr(text, fallback) {
  try { return JSON.parse(text); } catch (_) { return fallback; }
}

const url = (service, method) => `/${PACKAGE}.${service}/${method}`;

function headers(contentType, token) {
  const h = {'Content-Type': contentType, 'Connect-Protocol-Version': '1'};
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

// One unary call. Resolves with the response message (proto JSON); rejects
// with ConnectError, OfflineError, or the caller's AbortError.
export async function call(service, method, request = {}, {token, timeoutMs = 10000, signal} = {}) {
  const ctl = new AbortController();
  let timedOut = false;
  // A second of grace so that the server's own deadline answers first.
  const timer = setTimeout(() => { timedOut = true; ctl.abort(); }, timeoutMs + 1000);
  const cancel = () => ctl.abort();
  if (signal) signal.addEventListener('abort', cancel);
  const h = headers('application/json', token);
  h['Connect-Timeout-Ms'] = String(timeoutMs);
  let res, text;
  try {
    res = await fetch(url(service, method), {method: 'POST', headers: h, body: JSON.stringify(request),
      signal: ctl.signal, credentials: 'omit', cache: 'no-store'});
    text = await res.text();
  } catch (err) {
    if (timedOut) throw new ConnectError('deadline_exceeded', '', 0);
    if (signal && signal.aborted) throw err;
    throw new OfflineError(err && err.message);
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', cancel);
  }
  if (res.status === 200) {
    const body = parseOr(text || '{}', undefined);
    // An answer that is not JSON: a proxy's page, say.
    if (body === undefined) throw new ConnectError('internal', '', 200);
    return camel(body);
  }
  throw errorFrom(parseOr(text, null), res.status);
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// A server stream. Calls onMessage(json) per message; resolves with the
// trailing metadata when the server ends the stream OK; rejects with
// ConnectError (the end-of-stream error), OfflineError (the connection
// broke, or closed without an end-of-stream message) or AbortError.
export async function stream(service, method, request, {token, signal, onMessage}) {
  const json = new TextEncoder().encode(JSON.stringify(request || {}));
  const body = new Uint8Array(5 + json.length);
  new DataView(body.buffer).setUint32(1, json.length); // flags byte 0 stays 0
  body.set(json, 5);
  let res;
  try {
    res = await fetch(url(service, method), {method: 'POST', headers: headers('application/connect+json', token),
      body, signal, credentials: 'omit', cache: 'no-store'});
  } catch (err) {
    if (signal && signal.aborted) throw err;
    throw new OfflineError(err && err.message);
  }
  if (res.status !== 200) {
    const text = await res.text().catch(() => '');
    throw errorFrom(parseOr(text, null), res.status);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = new Uint8Array(0);
  try {
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch (err) {
        if (signal && signal.aborted) throw err;
        throw new OfflineError(err && err.message);
      }
      // Closed before its end-of-stream message: the connection broke.
      if (chunk.done) throw new OfflineError();
      buf = concat(buf, chunk.value);
      // Envelopes may be split across chunks or share one: take every whole one.
      while (buf.length >= 5) {
        const len = new DataView(buf.buffer, buf.byteOffset, 5).getUint32(1);
        if (buf.length < 5 + len) break;
        const flags = buf[0];
        const payload = parseOr(decoder.decode(buf.subarray(5, 5 + len)), undefined);
        buf = buf.subarray(5 + len);
        // A compressed envelope (we never ask for one) or one that is not JSON.
        if (flags & 0x01 || payload === undefined) throw new ConnectError('internal', '', 200);
        if (flags & 0x02) {
          if (payload.error) throw errorFrom(payload.error, 200);
          return payload.metadata || {};
        }
        onMessage(camel(payload));
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
