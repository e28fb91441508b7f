// DOM building for every screen: createElement and textContent only, never
// innerHTML, so text from the server or the POS (item names, guest words)
// can never become markup. No style attributes either: the CSP forbids
// them; looks come from classes in app.css.

// h('button', {class: 'big', testid: 'pin-submit', onclick: f}, 'OK')
//  - testid → data-testid; other data-* and aria-* keys are attributes;
//  - on<event> functions are listeners; text sets textContent;
//  - value is set as the property, after the children (a <select>'s value
//    needs its options first);
//  - null, undefined and false props or children are skipped.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'testid') el.setAttribute('data-testid', v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') value = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  if (value !== undefined) el.value = value;
  return el;
}

// el.replaceChildren with h()'s rules for children (null, false skipped).
export function fill(el, ...children) {
  el.replaceChildren();
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) add(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const meta = new WeakMap(); // element → {key, sig}

// Makes container's children the rendering of items, in order, keeping the
// element of every item whose signature did not change. A 5-second refresh
// or a stream update then never rebuilds what the person is touching: a
// half-typed deny reason keeps its text and its focus.
export function reconcile(container, items, keyOf, sigOf, render) {
  const old = new Map();
  for (const el of container.children) { const m = meta.get(el); if (m) old.set(m.key, el); }
  const wanted = items.map((item) => {
    const key = String(keyOf(item)), sig = sigOf(item);
    const prev = old.get(key);
    if (prev && meta.get(prev).sig === sig) { old.delete(key); return prev; }
    const el = render(item);
    meta.set(el, {key, sig});
    return el;
  });
  for (const el of old.values()) el.remove();
  for (const el of [...container.children]) if (!meta.has(el)) el.remove();
  wanted.forEach((el, i) => {
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
  });
}

// Disables a button for the time of an async action, so that a double tap
// can never send the request twice.
export async function busy(button, action) {
  if (button.disabled) return undefined;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try { return await action(); } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// Runs fn every `ms` while the page is visible (and at once when it becomes
// visible again): a tablet in a drawer does not poll. A run still waiting
// for its answer (a slow Wi-Fi) is not started again. Returns stop().
export function whileVisible(fn, ms) {
  let running = null;
  const tick = () => {
    if (document.visibilityState !== 'visible' || running) return;
    running = Promise.resolve(fn()).finally(() => { running = null; });
  };
  const timer = setInterval(tick, ms);
  document.addEventListener('visibilitychange', tick);
  return () => { clearInterval(timer); document.removeEventListener('visibilitychange', tick); };
}
