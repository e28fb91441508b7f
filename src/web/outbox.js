// The offline queue. A mutating press (FlagProblem, ApplyRemedy,
// RecordOutcome, ApproveRemedy) whose call got no answer is kept here, in
// localStorage so a reload or a dead battery does not lose it, WITH the
// request id it was first sent with. It is sent again, in order, with that
// same id, so the server (which dedupes by request id) applies it once
// whether or not the first attempt got through. An entry leaves the queue
// only when the server answered it: with the response, or with a definite
// refusal, which the screen then shows.
//
// Entries belong to the person who pressed (principalId): request ids are
// scoped to the caller, and a remedy must never be sent under the next
// person's session on a shared tablet. They wait until that person signs
// in again.
import {ConnectError, OfflineError} from './connect.js';

const KEY = 'makegood.outbox';
const listeners = new Set();

function load() {
  try { return JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (_) { return []; }
}

function save(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
  for (const fn of listeners) fn();
}

// Another tab's changes count too.
window.addEventListener('storage', (e) => { if (e.key === KEY) for (const fn of listeners) fn(); });

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// entry: {requestId, service, method, request (with requestId), principalId,
// key (the intent: method and body), label (for the screen)}.
export function enqueue(entry) {
  const list = load();
  if (!list.some((e) => e.principalId === entry.principalId && e.requestId === entry.requestId)) {
    list.push({...entry, queuedAt: new Date().toISOString()});
    save(list);
  }
}

export function pending(principalId) {
  return load().filter((e) => e.principalId === principalId);
}

// {principalId: count}, for the sign-in screen's badges.
export function countsByPrincipal() {
  const counts = {};
  for (const e of load()) counts[e.principalId] = (counts[e.principalId] || 0) + 1;
  return counts;
}

function remove(entry) {
  save(load().filter((e) => !(e.principalId === entry.principalId && e.requestId === entry.requestId)));
}

// No definite answer: the request may or may not have reached the store,
// and sending it again with the same id is safe.
export function isRetryable(err) {
  if (err instanceof OfflineError) return true;
  if (!(err instanceof ConnectError)) return false;
  if (err.code === 'unavailable' || err.code === 'deadline_exceeded') return true;
  return err.code === 'resource_exhausted' && (err.reason === 'WRITE_QUEUE_FULL' || err.reason === 'STORE_FULL');
}

let flushing = null;

// Sends principalId's entries one at a time, oldest first: send(entry) →
// response. Stops at the first entry without a definite answer (still
// offline) and at UNAUTHENTICATED (the session ended: the entries wait for
// the next sign-in). onResult(entry, response, error) for each answered one.
// One flush at a time; a second call joins the running one.
export function flush(principalId, send, onResult) {
  if (flushing) return flushing;
  flushing = (async () => {
    for (;;) {
      const next = pending(principalId)[0];
      if (!next) return;
      try {
        const response = await send(next);
        remove(next);
        onResult(next, response, null);
      } catch (err) {
        if (isRetryable(err) || (err instanceof ConnectError && err.code === 'unauthenticated')) return;
        if (!(err instanceof ConnectError)) return; // a bug, not an answer: keep the entry
        remove(next);
        onResult(next, null, err);
      }
    }
  })().finally(() => { flushing = null; });
  return flushing;
}
