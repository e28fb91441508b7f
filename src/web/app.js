// The app shell: the header, the message area, the router (by
// location.hash) and the offline queue's heartbeat. Each screen is a
// module under views/ with mount(root, param) → unmount(). Only pairing
// and sign-in come with the first load (its budget is 100 kB on the wire);
// the other screens are fetched once someone signs in.
import {h, fill} from './dom.js';
import {t, setLanguage} from './i18n.js';
import {current, deviceToken, isManager, refreshSession, signOut, flushOutbox, queuedCount} from './session.js';
import {onChange as onQueueChange} from './outbox.js';
import {mountMessages, showError, clearError, notify, showQueue} from './ui.js';
import * as pair from './views/pair.js';
import * as signin from './views/signin.js';

const SCREENS = {
  checks: () => import('./views/checks.js'),
  check: () => import('./views/check.js'),
  case: () => import('./views/case.js'),
  manager: () => import('./views/manager.js'),
};
const ROUTES = [
  [/^#\/pair$/, async () => pair, true],
  [/^#\/signin$/, async () => signin, true],
  [/^#\/checks$/, SCREENS.checks, false],
  [/^#\/check\/(.+)$/, SCREENS.check, false],
  [/^#\/case\/(.+)$/, SCREENS.case, false],
  [/^#\/manager$/, SCREENS.manager, false],
];
// Signed in: fetch every screen now, while the Wi-Fi is known to work.
const prefetch = () => Object.values(SCREENS).forEach((load) => load().catch(() => {}));

const header = document.getElementById('top');
const view = document.getElementById('view');
mountMessages(document.getElementById('messages'));
let unmount = null;
let online = true;

// --- theme: dark for a dim dining room by default; light for sunlight.
function applyTheme() {
  document.documentElement.classList.toggle('theme-light', localStorage.getItem('makegood.theme') === 'light');
}
function toggleTheme() {
  localStorage.setItem('makegood.theme', localStorage.getItem('makegood.theme') === 'light' ? 'dark' : 'light');
  applyTheme();
}

function renderHeader() {
  const me = current();
  const here = location.hash;
  const link = (href, testid, text) => h('a', {class: 'nav-link', href, testid,
    'aria-current': here.startsWith(href) ? 'page' : null}, text);
  fill(header,
    h('span', {class: 'brand'}, 'makegood'),
    me ? h('nav', {class: 'nav'}, link('#/checks', 'nav-checks', t('nav.checks')),
      isManager(me) ? link('#/manager', 'nav-manager', t('nav.manager')) : null) : null,
    h('span', {class: 'spacer'}),
    online ? null : h('span', {class: 'badge badge-warn', testid: 'offline', role: 'status'}, t('net.offline')),
    me ? h('span', {class: 'who'}, h('span', {testid: 'whoami'}, me.name || me.principalId),
      h('span', {class: 'muted small'}, t(`role.${me.role}`))) : null,
    h('button', {class: 'btn btn-ghost', type: 'button', testid: 'theme-toggle', onclick: toggleTheme,
      'aria-label': t('theme')}, '◐'),
    me ? h('button', {class: 'btn', type: 'button', testid: 'sign-out', onclick: doSignOut}, t('signOut')) : null,
  );
  showQueue(queuedCount(), () => flushOutbox());
}

async function doSignOut() {
  await signOut();
  await setLanguage(navigator.language);
  signin.prepare('', '');
  location.hash = '#/signin';
}

// A redirect that leaves no history entry behind (Back does not loop).
function go(hash) {
  if (location.hash === hash) route();
  else location.replace(hash);
}

let routing = 0; // the newest route() wins when screens load out of order
async function route() {
  const mine = ++routing;
  const hash = location.hash;
  if (unmount) { unmount(); unmount = null; }
  clearError();
  const match = ROUTES.map(([re, load, open]) => [re.exec(hash), load, open]).find(([m]) => m);
  const signedIn = !!current();
  if (!match) return go(signedIn ? '#/checks' : deviceToken() ? '#/signin' : '#/pair');
  const [m, load, open] = match;
  if (!open && !signedIn) {
    signin.prepare('', hash);
    return go(deviceToken() ? '#/signin' : '#/pair');
  }
  if (hash === '#/signin' && !deviceToken()) return go('#/pair');
  if (signedIn) prefetch();
  renderHeader();
  let mod;
  try { mod = await load(); } catch (err) { showError(err); return; }
  if (mine !== routing) return;
  view.replaceChildren();
  window.scrollTo(0, 0);
  unmount = mod.mount(view, m[1] ? decodeURIComponent(m[1]) : '') || null;
}

// --- events from session.js and the queue
window.addEventListener('makegood:session-ended', async () => {
  const here = location.hash;
  await setLanguage(navigator.language);
  signin.prepare(t('session.ended'), here.startsWith('#/signin') ? '' : here);
  go(deviceToken() ? '#/signin' : '#/pair');
});
window.addEventListener('makegood:net', (e) => {
  if (e.detail.ok === online) return;
  online = e.detail.ok;
  renderHeader();
  if (online) flushOutbox();
});
window.addEventListener('makegood:sent', (e) => {
  const {entry, error} = e.detail;
  if (error) showError(error, entry.label || entry.method);
  else notify(t('queue.sent', {what: entry.label || entry.method}));
});
onQueueChange(() => showQueue(queuedCount(), () => flushOutbox()));
window.addEventListener('online', () => flushOutbox());
// The 'online' event is not reliable on every tablet: try every 5 s too.
setInterval(() => { if (queuedCount()) flushOutbox(); }, 5000);
window.addEventListener('hashchange', route);

// Idle sign-out: the screens refresh themselves, so makegoodd sees calls
// from a tablet left open on a table; only here is it known whether a person
// touched it. After the session's idle minutes without a touch or a key,
// the tablet signs out, as if the person had tapped "Sign out".
let lastTouch = Date.now();
for (const type of ['pointerdown', 'keydown']) {
  window.addEventListener(type, () => { lastTouch = Date.now(); }, {capture: true, passive: true});
}
setInterval(() => {
  const me = current();
  if (!me || !me.idleMinutes) return;
  if (Date.now() - lastTouch >= me.idleMinutes * 60000) {
    lastTouch = Date.now();
    doSignOut();
  }
}, 15000);

// --- start
async function start() {
  applyTheme();
  // #pair=<token> from a QR code: take it out of the URL (and so out of the
  // history and any bookmark) before anything else, then pair with it.
  if (location.hash.startsWith('#pair=')) {
    const token = decodeURIComponent(location.hash.slice('#pair='.length));
    history.replaceState(null, '', `${location.pathname}${location.search}#/pair`);
    pair.offerToken(token);
  }
  await setLanguage(current() ? current().language : navigator.language);
  if (current()) {
    try {
      const me = await refreshSession();
      if (me) await setLanguage(me.language);
    } catch (err) {
      if (!(err && err.code === 'unauthenticated')) showError(err);
    }
    // Ended while we were away: the session-ended handler has routed.
    if (!current()) return;
    flushOutbox();
  }
  route();
}
start();
