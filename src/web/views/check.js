// One check: its items with their kitchen times (in the location's zone),
// the items already in a case, and the flag flow: one press on an item's
// flag button opens the category buttons; one press on a category opens the
// case (FlagProblem) and shows it.
import {h, fill, reconcile, whileVisible} from '../dom.js';
import {t, language} from '../i18n.js';
import {api, mutate, getLocation, categoryMap, rememberCase, queuedEntries} from '../session.js';
import {showError, notify} from '../ui.js';
import {clock, money} from '../format.js';
import {OfflineError} from '../connect.js';

const SEVERITIES = ['MINOR', 'MAJOR', 'SEVERE'];

// The cases of one check. ListRecoveries has no check filter: ask for the
// cases flagged since the check began (an hour of slack for a POS clock
// ahead of ours) and keep this check's.
export async function casesOfCheck(check) {
  const since = check.firstEventAt || check.openedAt;
  const request = {pageSize: 1000};
  if (since) request.from = new Date(new Date(since).getTime() - 3600e3).toISOString();
  const found = [];
  for (let page = 0; page < 5; page++) {
    const res = await api('RecoveryService', 'ListRecoveries', request);
    found.push(...(res.cases || []).filter((c) => c.checkId === check.checkId));
    if (!res.nextPageToken) break;
    request.pageToken = res.nextPageToken;
  }
  return found;
}

export function mount(root, checkId) {
  const state = {check: null, cases: [], zone: '', categories: new Map(), target: null, severity: 'MAJOR', words: ''};
  const head = h('div', {class: 'check-head'});
  const items = h('div', {class: 'items'});
  const sheet = h('div');
  root.append(h('a', {class: 'btn btn-ghost back', href: '#/checks'}, `← ${t('nav.checks')}`), head, items, sheet);
  let first = true;

  const label = (c) => (state.categories.get(c.categoryId) || {}).label || c.categoryId;
  const caseLink = (c) => h('a', {class: 'case-link', href: `#/case/${encodeURIComponent(c.caseId)}`},
    `${label(c)} · ${t(`case.${c.status || 'OPEN'}`)}`);

  function queuedFlags() {
    return queuedEntries().filter((e) => e.method === 'FlagProblem' && e.request.checkId === checkId);
  }

  function itemRow({item, cases, queued}) {
    const id = item.lineId;
    const times = [['ordered', item.orderedAt], ['fired', item.firedAt], ['served', item.servedAt], ['voided', item.voidedAt]]
      .filter(([, at]) => at).map(([k, at]) => t(`item.at.${k}`, {time: clock(at, state.zone)}));
    const facts = [item.seat ? t('item.seat', {seat: item.seat}) : '', item.station || '', item.unitPrice ? money(item.unitPrice) : '']
      .filter(Boolean).join(' · ');
    const st = item.state || 'ORDERED';
    return h('div', {class: `item${st === 'VOIDED' ? ' voided' : ''}`, testid: `item-${id}`},
      h('div', {class: 'item-main'},
        h('span', {class: 'item-name'}, `${item.quantity > 1 ? `${item.quantity}× ` : ''}${item.name || item.sku || id}`),
        h('span', {class: `state state-${st}`}, t(`item.${st}`))),
      facts ? h('div', {class: 'muted'}, facts) : null,
      times.length ? h('div', {class: 'muted'}, times.join(' · ')) : null,
      cases.length ? h('div', {class: 'flagged', testid: `flagged-${id}`}, h('span', {class: 'badge badge-warn'}, t('check.flagged')), cases.map(caseLink)) : null,
      queued ? h('span', {class: 'badge badge-warn'}, t('check.flagQueued')) : null,
      h('button', {class: 'btn btn-flag', type: 'button', testid: `flag-${id}`,
        onclick: () => openSheet({lineIds: [id], title: item.name || item.sku || id})}, `⚑ ${t('check.flag')}`));
  }

  function render() {
    const c = state.check;
    if (!c) return;
    const whole = state.cases.filter((x) => !(x.lineIds || []).length);
    const queued = queuedFlags();
    fill(head,
      h('h1', {}, c.table ? t('checks.table', {table: c.table}) : t('checks.number', {id: c.checkId})),
      h('p', {class: 'muted'}, [t('checks.guests', {n: c.guestCount || 0}), t('checks.number', {id: c.checkId}),
        t(`checkState.${c.state || 'OPEN'}`), c.openedAt ? t('check.openedAt', {time: clock(c.openedAt, state.zone)}) : '',
        c.subtotal ? money(c.subtotal) : ''].filter(Boolean).join(' · ')),
      state.zone ? h('p', {class: 'muted small'}, t('timesIn', {zone: state.zone})) : null,
      whole.length ? h('div', {class: 'flagged'}, h('span', {class: 'badge badge-warn'}, t('check.wholeFlagged')), whole.map(caseLink)) : null,
      queued.some((e) => !(e.request.lineIds || []).length) ? h('span', {class: 'badge badge-warn'}, t('check.flagQueued')) : null,
      h('button', {class: 'btn', type: 'button', testid: 'flag-check',
        onclick: () => openSheet({lineIds: [], title: t('check.wholeCheck')})}, `⚑ ${t('check.flagWhole')}`));
    const rows = (c.items || []).map((item) => ({
      item,
      cases: state.cases.filter((x) => (x.lineIds || []).includes(item.lineId)),
      queued: queued.some((e) => (e.request.lineIds || []).includes(item.lineId)),
    }));
    reconcile(items, rows, (r) => r.item.lineId,
      (r) => JSON.stringify([r.item, r.cases.map((x) => [x.caseId, x.status, label(x)]), r.queued, state.zone]), itemRow);
    if (!rows.length) items.replaceChildren(h('p', {class: 'muted'}, t('check.noItems')));
  }

  function openSheet(target) {
    state.target = target;
    const pressed = (b, on) => b.setAttribute('aria-pressed', String(on));
    const sev = SEVERITIES.map((s) => h('button', {class: 'btn seg', type: 'button', testid: `severity-${s}`,
      'aria-pressed': String(state.severity === s),
      onclick: () => { state.severity = s; sev.forEach((b, i) => pressed(b, SEVERITIES[i] === s)); }}, t(`sev.${s}`)));
    const cats = [...state.categories.values()].map((cat) => h('button', {class: 'btn btn-category', type: 'button',
      testid: `category-${cat.categoryId}`, onclick: () => flag(cat, cats)}, cat.label || cat.categoryId));
    sheet.replaceChildren(
      h('div', {class: 'sheet-backdrop', onclick: closeSheet}),
      h('section', {class: 'sheet', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'sheet-title'},
        h('h2', {id: 'sheet-title'}, t('flag.title', {what: target.title})),
        h('div', {class: 'seg-row', role: 'group', 'aria-label': t('flag.severity')}, sev),
        h('label', {class: 'label', for: 'guest-words'}, t('flag.words')),
        h('input', {id: 'guest-words', class: 'field', testid: 'guest-words', maxlength: '2000', value: state.words,
          oninput: (e) => { state.words = e.target.value; }}),
        h('p', {class: 'label'}, t('flag.pickCategory')),
        cats.length ? h('div', {class: 'category-grid'}, cats) : h('p', {class: 'muted'}, t('flag.noCategories')),
        h('button', {class: 'btn btn-ghost', type: 'button', testid: 'flag-cancel', onclick: closeSheet}, t('cancel'))));
  }

  function closeSheet() {
    state.target = null;
    state.words = '';
    sheet.replaceChildren();
  }

  async function flag(cat, buttons) {
    const target = state.target;
    const body = {checkId, lineIds: target.lineIds, categoryId: cat.categoryId, severity: state.severity};
    if (state.words.trim()) body.guestWords = state.words.trim();
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const table = state.check && state.check.table;
      const r = await mutate('RecoveryService', 'FlagProblem', body,
        t('flag.about', {what: target.title, table: table || checkId}));
      if (r.queued) {
        notify(t('queue.queuedOne'));
        closeSheet();
        render();
        return;
      }
      rememberCase(r.response);
      location.hash = `#/case/${encodeURIComponent(r.response.caseId)}`;
    } catch (err) {
      showError(err, t('flag.failed'));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  async function load() {
    const quiet = !first;
    first = false;
    try {
      const [check, loc, categories] = await Promise.all([
        api('CheckService', 'GetCheck', {checkId}), getLocation(), categoryMap(language())]);
      Object.assign(state, {check, zone: loc.timezone || '', categories});
      render();
    } catch (err) {
      if (!quiet || !(err instanceof OfflineError)) showError(err, t('check.cannotLoad'));
      return;
    }
    // The items stand without their markers if the cases cannot be read.
    try {
      state.cases = await casesOfCheck(state.check);
      render();
    } catch (err) {
      if (!quiet) showError(err, t('check.cannotLoadCases'));
    }
  }

  const onSent = () => load();
  window.addEventListener('makegood:sent', onSent);
  load();
  const stop = whileVisible(load, 5000);
  return () => { stop(); window.removeEventListener('makegood:sent', onSent); };
}

