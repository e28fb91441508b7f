// Sign-in on a shared tablet: pick yourself from the staff buttons, type
// your PIN on the pad (or the keyboard). The PIN lives only in this
// closure, is shown as dots, and is dropped the moment it is sent.
import {h, busy} from '../dom.js';
import {t, setLanguage} from '../i18n.js';
import {asDevice, signIn, setDeviceToken} from '../session.js';
import {countsByPrincipal} from '../outbox.js';
import {showError, clearError, describeError} from '../ui.js';
import {ConnectError} from '../connect.js';

const MAX_PIN = 8;
let notice = '';
let returnTo = '';
// app.js: why we are here ("your session ended") and where to go after.
export function prepare(why, next) { notice = why || ''; returnTo = next || ''; }

// The refusal under the PIN pad, in the person's language (ui.js has the
// words: the tries left and the lock's length, as the server states them).
// The server's own message is only the element's title.
function signinError(err) {
  const d = describeError(err);
  const text = err instanceof ConnectError && err.code === 'not_found' ? t('pin.unknownStaff') : d.text;
  return h('p', {class: 'form-error', role: 'alert', testid: 'signin-error',
    'data-reason': d.reason, title: d.detail || null}, text);
}

export function mount(root) {
  let pin = '';
  let onKey = null;
  const view = h('div', {class: 'signin'});
  root.append(view);
  if (notice) { view.append(h('p', {class: 'banner banner-info'}, notice)); notice = ''; }
  const body = h('div');
  view.append(body);

  function pickStaff(staff) {
    clearError();
    const counts = countsByPrincipal();
    body.replaceChildren(h('h1', {}, t('signin.title')),
      staff.length ? h('div', {class: 'staff-grid'}, staff.map((s) => h('button', {
        class: 'btn btn-staff', type: 'button', testid: `staff-${s.staffId}`, onclick: () => pinPad(s, staff)},
      h('span', {class: 'staff-name'}, s.name || s.staffId),
      h('span', {class: 'muted'}, t(`role.${s.role}`)),
      counts[s.staffId] ? h('span', {class: 'badge badge-warn'}, t('signin.waiting', {n: counts[s.staffId]})) : null)))
        : h('p', {class: 'muted'}, t('signin.noStaff')));
  }

  function pinPad(person, staff) {
    pin = '';
    const dots = h('div', {class: 'pin-dots', testid: 'pin-dots', 'aria-live': 'polite'});
    const errorSlot = h('div');
    const ok = h('button', {class: 'btn btn-primary pin-key', type: 'button', testid: 'pin-submit', onclick: () => submit()}, t('pin.ok'));
    const show = () => {
      dots.textContent = '●'.repeat(pin.length);
      dots.setAttribute('aria-label', t('pin.digits', {n: pin.length}));
    };
    const digit = (d) => { if (pin.length < MAX_PIN) pin += d; errorSlot.replaceChildren(); show(); };
    const clear = () => { pin = ''; show(); };
    const back = () => { pin = ''; stopKeys(); pickStaff(staff); };
    async function submit() {
      if (ok.disabled) return;
      const typed = pin;
      pin = '';
      show();
      if (typed.length < 4) { errorSlot.replaceChildren(h('p', {class: 'form-error', role: 'alert', testid: 'signin-error', 'data-reason': ''}, t('pin.tooShort'))); return; }
      await busy(ok, async () => {
        try {
          const session = await signIn(person.staffId, typed);
          stopKeys();
          await setLanguage(session.language);
          const next = returnTo || '#/checks';
          returnTo = '';
          location.hash = next;
        } catch (err) {
          errorSlot.replaceChildren(signinError(err));
        }
      });
    }
    const key = (label, testid, onclick, cls = 'btn pin-key') => h('button', {class: cls, type: 'button', testid, onclick}, label);
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d, `pin-key-${d}`, () => digit(d)));
    keys.push(key(t('pin.clear'), 'pin-clear', clear, 'btn btn-ghost pin-key'), key('0', 'pin-key-0', () => digit('0')), ok);
    body.replaceChildren(
      h('button', {class: 'btn btn-ghost', type: 'button', testid: 'pin-back', onclick: back}, `← ${t('pin.back')}`),
      h('h1', {}, t('pin.title', {name: person.name || person.staffId})),
      dots, errorSlot, h('div', {class: 'pin-pad'}, keys));
    show();
    stopKeys();
    onKey = (e) => {
      if (e.target && e.target.tagName === 'INPUT') return;
      if (/^[0-9]$/.test(e.key)) digit(e.key);
      else if (e.key === 'Backspace') { pin = pin.slice(0, -1); show(); } else if (e.key === 'Enter') submit();
      else if (e.key === 'Escape') back();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
  }

  function stopKeys() {
    if (onKey) document.removeEventListener('keydown', onKey);
    onKey = null;
  }

  async function load() {
    body.replaceChildren(h('p', {class: 'muted'}, t('loading')));
    try {
      const res = await asDevice('ListSignInStaff', {});
      pickStaff(res.staff || []);
    } catch (err) {
      showError(err, t('signin.cannotList'));
      const bad = err instanceof ConnectError && (err.code === 'unauthenticated' || err.code === 'permission_denied');
      body.replaceChildren(h('div', {class: 'row'},
        h('button', {class: 'btn', type: 'button', testid: 'signin-retry', onclick: load}, t('retry')),
        bad ? h('button', {class: 'btn btn-ghost', type: 'button', testid: 'pair-again',
          onclick: () => { setDeviceToken(''); location.hash = '#/pair'; }}, t('signin.pairAgain')) : null));
    }
  }
  load();
  return () => { pin = ''; stopKeys(); };
}
