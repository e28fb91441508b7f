// Who is signed in on this tablet, and every call made on their behalf.
//  - The device token (a TABLET credential, typed once at pairing) lives in
//    localStorage: it survives reloads and reboots of the tablet.
//  - The session token lives in sessionStorage: it dies with the tab, never
//    in a cookie, so no other site can ride on it. The Session message
//    (name, role; no secret) is kept next to it so that a reload while the
//    Wi-Fi is down still knows who is working.
//  - The PIN is never stored: it goes from the PIN pad into one SignIn call.
// Events on window: makegood:session-ended (an UNAUTHENTICATED answer),
// makegood:net {ok}, makegood:sent {entry, response, error} (an outbox entry
// answered).
import {call, stream, ConnectError, OfflineError} from './connect.js';
import * as outbox from './outbox.js';

const DEVICE = 'makegood.deviceToken';
const TOKEN = 'makegood.sessionToken';
const SESSION = 'makegood.session';

let me = null;
try { me = JSON.parse(sessionStorage.getItem(SESSION) || 'null'); } catch (_) { me = null; }

const emit = (name, detail) => window.dispatchEvent(new CustomEvent(`makegood:${name}`, {detail}));

export const deviceToken = () => localStorage.getItem(DEVICE) || '';
export const sessionToken = () => sessionStorage.getItem(TOKEN) || '';
export const current = () => (sessionToken() ? me : null);
export const isManager = (s = me) => !!s && (s.role === 'MANAGER' || s.role === 'ADMIN');

export function setDeviceToken(token) {
  if (token) localStorage.setItem(DEVICE, token);
  else localStorage.removeItem(DEVICE);
}

const memo = new Map();
function forget() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(SESSION);
  me = null;
  memo.clear();
}

function note(err) {
  if (err instanceof OfflineError) emit('net', {ok: false});
  else if (err instanceof ConnectError) emit('net', {ok: true});
  // Both reasons (SESSION_ENDED, UNAUTHENTICATED) mean: sign in again.
  if (err instanceof ConnectError && err.code === 'unauthenticated' && sessionToken()) {
    forget();
    emit('session-ended', {reason: err.reason});
  }
}

// A call as the signed-in person.
export async function api(service, method, request = {}, opts = {}) {
  try {
    const response = await call(service, method, request, {...opts, token: sessionToken()});
    emit('net', {ok: true});
    return response;
  } catch (err) {
    note(err);
    throw err;
  }
}

// A server stream as the signed-in person.
export async function apiStream(service, method, request, opts) {
  try {
    return await stream(service, method, request, {...opts, token: sessionToken()});
  } catch (err) {
    if (err.name !== 'AbortError') note(err);
    throw err;
  }
}

// A call as the tablet itself (SessionService.ListSignInStaff, SignIn).
export const asDevice = (method, request = {}, token = deviceToken()) =>
  call('SessionService', method, request, {token});

export async function signIn(staffId, pin) {
  const res = await asDevice('SignIn', {staffId, pin});
  forget();
  sessionStorage.setItem(TOKEN, res.sessionToken);
  me = res.session || {};
  sessionStorage.setItem(SESSION, JSON.stringify(me));
  flushOutbox();
  return me;
}

// Refreshes the Session message (GetSession); keeps the stored one offline.
export async function refreshSession() {
  if (!sessionToken()) return null;
  try {
    me = await api('SessionService', 'GetSession', {});
    sessionStorage.setItem(SESSION, JSON.stringify(me));
  } catch (err) {
    if (!(err instanceof OfflineError)) throw err;
  }
  return current();
}

// Signs out here even when the server cannot be told (offline): the
// session then ends on its idle limit.
export async function signOut() {
  try { await api('SessionService', 'SignOut', {}, {timeoutMs: 3000}); } catch (_) { /* ended anyway */ }
  forget();
}

// Answers that do not change within a session, asked once.
function once(key, fn) {
  if (!memo.has(key)) memo.set(key, fn().catch((err) => { memo.delete(key); throw err; }));
  return memo.get(key);
}
export const getLocation = () => once('location', () => api('CheckService', 'GetLocation', {}));
export const getCategories = (language) => once(`categories:${language}`, () =>
  api('SessionService', 'ListCategories', {language}).then((r) => r.categories || []));
export const categoryMap = (language) => getCategories(language)
  .then((list) => new Map(list.map((c) => [c.categoryId, c])), () => new Map());
// Staff id → name, for the manager screen; empty when the tablet cannot list.
export const staffNames = () => once('staff', () => asDevice('ListSignInStaff', {})
  .then((r) => new Map((r.staff || []).map((s) => [s.staffId, s.name])), () => new Map()));
// Check id → table label ("" until known), from GetCheck.
export const tableOf = (checkId) => once(`table:${checkId}`, () =>
  api('CheckService', 'GetCheck', {checkId}).then((c) => c.table || ''));

// Cases just returned by a mutation, so the case screen opens at once.
const cases = new Map();
export const rememberCase = (c) => { if (c && c.caseId) cases.set(c.caseId, c); return c; };
export const cachedCase = (id) => cases.get(id) || null;

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// One intended change = one method with one body. Its request id is kept
// until the server answers it definitely, so a retry of the same press
// (after a timeout, from the queue, or a second tap) reuses the id and the
// server applies it once; a press after an answer is a new intent.
const intents = new Map(); // intent key → requestId
const inflight = new Map(); // intent key → promise

// → {response} when the server answered, {queued: true} when the request
// waits in the outbox; throws the server's definite refusal.
export function mutate(service, method, body, label = '') {
  const key = `${service}/${method} ${JSON.stringify(body)}`;
  if (inflight.has(key)) return inflight.get(key);
  const principalId = me ? me.principalId : '';
  const run = (async () => {
    const waiting = outbox.pending(principalId);
    if (waiting.some((e) => e.key === key)) return {queued: true};
    const requestId = intents.get(key) || uuid();
    intents.set(key, requestId);
    const entry = {requestId, service, method, request: {requestId, ...body}, principalId, key, label};
    if (waiting.length) {
      // Earlier presses still wait: this one goes behind them, in order.
      outbox.enqueue(entry);
      flushOutbox();
      return {queued: true};
    }
    try {
      const response = await api(service, method, entry.request);
      intents.delete(key);
      return {response};
    } catch (err) {
      if (outbox.isRetryable(err)) {
        outbox.enqueue(entry);
        return {queued: true};
      }
      intents.delete(key);
      throw err;
    }
  })().finally(() => inflight.delete(key));
  inflight.set(key, run);
  return run;
}

export const queuedCount = () => (current() ? outbox.pending(me.principalId).length : 0);
export const queuedEntries = () => (current() ? outbox.pending(me.principalId) : []);

// Sends what waits for the signed-in person (on 'online', every 5 s, after
// sign-in).
export function flushOutbox() {
  if (!current()) return Promise.resolve();
  return outbox.flush(me.principalId, (e) => api(e.service, e.method, e.request), (entry, response, error) => {
    intents.delete(entry.key);
    if (response) rememberCase(response);
    emit('sent', {entry, response, error});
  });
}
