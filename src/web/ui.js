// The app-wide message area under the header: the error banner (one at a
// time, the newest), short notices, and the queue banner. Errors are never
// dropped silently: every failed call a person caused ends up here.
import {h} from './dom.js';
import {t, has, language} from './i18n.js';
import {ConnectError, OfflineError} from './connect.js';

let host = null;
export function mountMessages(el) { host = el; }

// The sentence for a refusal's reason, '' when the message files have none
// (then the Connect code speaks). The server is the authority on numbers:
// the tries left and the incident id are taken from its message when it
// names them, the lock's length from its RetryInfo; without them the
// sentence goes without the number.
function reasonText(err) {
  const reason = err.reason;
  if (reason === 'WRONG_PIN') {
    const m = /(\d+) tr(?:y|ies) left/.exec(err.serverMessage);
    if (m) return t(Number(m[1]) === 1 ? 'pin.wrongTry' : 'pin.wrongTries', {n: m[1]});
  } else if (reason === 'PIN_LOCKED' && err.retryDelaySeconds > 0) {
    return t('pin.locked', {minutes: Math.max(1, Math.ceil(err.retryDelaySeconds / 60))});
  } else if (reason === 'SERVER_ERROR') {
    const m = /\bERR-\d+-\d+\b/.exec(err.serverMessage);
    if (m) return `${t('reason.SERVER_ERROR')} ${t('error.incident', {id: m[0]})}`;
  }
  return reason && has(`reason.${reason}`) ? t(`reason.${reason}`) : '';
}

// The server's own words (English), for the banner's tooltip and, for an
// English reader, a small second line: its message and the fields it names.
function serverDetail(err) {
  const msg = err.serverMessage;
  const fields = err.fieldViolations.map((v) => (v.description && v.description !== msg
    ? `${v.field}: ${v.description}` : v.field)).filter(Boolean);
  return [msg, fields.join(', ')].filter(Boolean).join(' — ');
}

// err → {code, reason, text, detail}: the Connect code and stable reason for
// programs (and the browser tests); `text`, the sentence for people, from
// the message files only: our words for the reason, else for the code
// (PERMISSION_DENIED always says "not allowed" first); `detail`, the
// server's own message, '' when there is none. A string is a sentence
// already (from t()).
export function describeError(err) {
  if (typeof err === 'string') return {code: 'unknown', reason: '', text: err, detail: ''};
  if (err instanceof OfflineError) return {code: 'unavailable', reason: '', text: t('error.offline'), detail: ''};
  if (!(err instanceof ConnectError)) {
    return {code: 'unknown', reason: '', text: t('error.generic'), detail: String((err && err.message) || err || '')};
  }
  const parts = [];
  const denied = err.code === 'permission_denied';
  if (denied) parts.push(t('code.permission_denied'));
  const why = reasonText(err);
  if (why) parts.push(why);
  else if (!denied) parts.push(has(`code.${err.code}`) ? t(`code.${err.code}`) : t('error.generic'));
  return {code: err.code, reason: err.reason || '', text: parts.join(' '), detail: serverDetail(err)};
}

export function clearError() {
  if (host) for (const el of host.querySelectorAll('[data-testid="error-banner"]')) el.remove();
}

// Shows err in the banner; `about` names what failed ("Flag for table 12").
// The server's message is only the banner's title, and a small line of
// details in English (the server's language); never in another language's
// sentence.
export function showError(err, about = '') {
  if (!host || (err && err.name === 'AbortError')) return;
  const d = describeError(err);
  clearError();
  host.prepend(h('div', {class: 'banner banner-error', role: 'alert', testid: 'error-banner',
    'data-code': d.code, 'data-reason': d.reason, title: d.detail || null},
  h('div', {class: 'banner-body'},
    h('p', {class: 'banner-text'}, about ? `${about}: ${d.text}` : d.text),
    d.detail && language() === 'en' ? h('p', {class: 'banner-detail'}, t('error.details', {message: d.detail})) : null),
  h('button', {class: 'btn btn-ghost banner-close', type: 'button', 'aria-label': t('dismiss'), onclick: clearError}, '×')));
}

// A short notice that goes away by itself.
export function notify(text) {
  if (!host) return;
  const el = h('div', {class: 'banner banner-info', role: 'status', testid: 'notice'}, h('p', {class: 'banner-text'}, text));
  host.append(el);
  setTimeout(() => el.remove(), 6000);
}

// The queue banner: present only while something waits. Tapping it tries
// to send now.
export function showQueue(count, onTap) {
  if (!host) return;
  let el = host.querySelector('[data-testid="queue-banner"]');
  if (!count) { if (el) el.remove(); return; }
  if (!el) {
    el = h('button', {class: 'banner banner-queue', type: 'button', testid: 'queue-banner', onclick: onTap});
    host.append(el);
  }
  el.setAttribute('data-count', String(count));
  el.textContent = t('queue.banner', {n: count});
}

// Runs a press's action and shows its refusal; the action's result or
// undefined.
export async function attempt(action, about) {
  try { return await action(); } catch (err) { showError(err, about); return undefined; }
}
