// The app-wide message area under the header: the error banner (one at a
// time, the newest), short notices, and the queue banner. Errors are never
// dropped silently: every failed call a person caused ends up here.
import {h} from './dom.js';
import {t, has} from './i18n.js';
import {ConnectError, OfflineError} from './connect.js';

let host = null;
export function mountMessages(el) { host = el; }

// err → {code, reason, text}: the Connect code and stable reason for
// programs (and the browser tests), a sentence for people: our own words
// for the reason where we have them, then the server's message.
export function describeError(err) {
  if (err instanceof OfflineError) return {code: 'unavailable', reason: '', text: t('error.offline')};
  if (!(err instanceof ConnectError)) return {code: 'unknown', reason: '', text: String((err && err.message) || err)};
  const parts = [];
  if (err.code === 'permission_denied') parts.push(t('error.notAllowed'));
  if (err.reason && has(`reason.${err.reason}`)) parts.push(t(`reason.${err.reason}`));
  else if (!err.message) parts.push(t('error.generic'));
  if (err.message) parts.push(err.message);
  for (const v of err.fieldViolations) parts.push(`${v.field}: ${v.description}`);
  return {code: err.code, reason: err.reason || '', text: parts.join(' — ')};
}

export function clearError() {
  if (host) for (const el of host.querySelectorAll('[data-testid="error-banner"]')) el.remove();
}

// Shows err in the banner; `about` names what failed ("Flag for table 12").
export function showError(err, about = '') {
  if (!host || (err && err.name === 'AbortError')) return;
  const d = describeError(err);
  clearError();
  host.prepend(h('div', {class: 'banner banner-error', role: 'alert', testid: 'error-banner',
    'data-code': d.code, 'data-reason': d.reason},
  h('p', {class: 'banner-text'}, about ? `${about}: ${d.text}` : d.text),
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
