// The manager screen: live approvals, manager visits and alerts from
// WatchRecoveries (watch.js), and today's figures from ReportService.
// Anyone may open #/manager; for a SERVER the calls are refused
// (PERMISSION_DENIED) and the banner says so.
import {h, reconcile, busy, whileVisible} from '../dom.js';
import {t, language} from '../i18n.js';
import {api, apiStream, mutate, getLocation, categoryMap, staffNames, tableOf, sessionToken} from '../session.js';
import {showError, notify} from '../ui.js';
import {money, clock, businessDate} from '../format.js';
import {RecoveryWatch} from '../watch.js';
import {alertText, approvalNeedText} from '../alert_text.js';
import {ConnectError, OfflineError, errorFrom, parseDuration} from '../connect.js';

export function mount(root) {
  const ctx = {zone: '', dayStarts: '04:00', names: new Map(), categories: new Map(), tables: new Map(), date: ''};
  const denying = new Map(); // remedyId → reason being typed (survives re-renders)
  const status = h('span', {class: 'watch-status', testid: 'watch-status', 'data-state': 'reconnecting', role: 'status'}, t('watch.reconnecting'));
  const approvals = h('div', {class: 'card-grid approvals'});
  const alerts = h('div', {class: 'alert-list'});
  const noApprovals = h('p', {class: 'muted'}, t('manager.noApprovals'));
  const noAlerts = h('p', {class: 'muted'}, t('manager.noAlerts'));
  const figures = h('div', {class: 'figures'});
  const report = h('a', {class: 'btn', testid: 'eod-report-link', href: '#/manager', onclick: openReport}, t('manager.eodLink'));
  const zoneNote = h('p', {class: 'muted small'});
  root.append(
    h('div', {class: 'row spread'}, h('h1', {}, t('manager.title')), status),
    h('section', {class: 'panel'}, h('h2', {}, t('manager.approvals')), noApprovals, approvals),
    h('section', {class: 'panel'}, h('h2', {}, t('manager.alerts')), noAlerts, alerts),
    h('section', {class: 'panel'}, h('h2', {}, t('manager.today')), figures, report, zoneNote));

  const name = (id) => ctx.names.get(id) || id || '';
  const table = (checkId) => {
    if (!checkId) return '';
    if (!ctx.tables.has(checkId)) {
      ctx.tables.set(checkId, '');
      tableOf(checkId).then((v) => { ctx.tables.set(checkId, v); render(); }, () => {});
    }
    return ctx.tables.get(checkId);
  };

  function approvalCard({c, r}) {
    const id = r.remedyApplicationId;
    const option = [...(c.options || []), ...(c.extras || [])].find((o) => o.optionId === r.optionId);
    const cat = ctx.categories.get(c.categoryId);
    const tbl = table(c.checkId);
    const actions = h('div', {class: 'row'});
    const decide = async (approve, button, reason) => {
      const body = {caseId: c.caseId, remedyApplicationId: id, approve};
      if (!approve) body.reason = reason;
      await busy(button, async () => {
        const version = watch.version(c.caseId);
        try {
          const res = await mutate('RecoveryService', 'ApproveRemedy', body, t('approve.about', {id}));
          if (res.queued) notify(t('queue.queuedOne'));
          else { denying.delete(id); watch.putAnswer(res.response, version); render(); }
        } catch (err) {
          showError(err, approve ? t('approve.failed') : t('deny.failed'));
        }
      });
    };
    const showDeny = (focus = true) => {
      const input = h('input', {class: 'field', testid: `deny-reason-${id}`, maxlength: '2000', 'aria-label': t('deny.reason'),
        placeholder: t('deny.reason'), value: denying.get(id) || '', oninput: (e) => denying.set(id, e.target.value)});
      const confirm = h('button', {class: 'btn btn-danger', type: 'button', testid: `deny-confirm-${id}`, onclick: () => {
        const reason = input.value.trim();
        if (!reason) { input.focus(); input.setAttribute('aria-invalid', 'true'); return; }
        decide(false, confirm, reason);
      }}, t('deny.confirm'));
      actions.replaceChildren(input, confirm, h('button', {class: 'btn btn-ghost', type: 'button',
        onclick: () => { denying.delete(id); actions.replaceChildren(...buttons()); }}, t('cancel')));
      if (focus) input.focus();
    };
    const buttons = () => {
      const approve = h('button', {class: 'btn btn-primary', type: 'button', testid: `approve-${id}`,
        onclick: () => decide(true, approve)}, t('approve.button'));
      return [approve, h('button', {class: 'btn btn-danger', type: 'button', testid: `deny-${id}`,
        onclick: () => { denying.set(id, denying.get(id) || ''); showDeny(); }}, t('deny.button'))];
    };
    const card = h('article', {class: 'approval', testid: `approval-${id}`},
      h('div', {class: 'row spread'}, h('strong', {class: 'amount'}, money(r.cost)),
        h('span', {}, tbl ? t('checks.table', {table: tbl}) : t('checks.number', {id: c.checkId}))),
      h('p', {}, `${(option && option.label) || t(`kind.${r.kind}`)} · ${(cat && cat.label) || c.categoryId}`),
      h('p', {class: 'muted'}, t('approve.requestedBy', {name: name(r.requestedBy), time: clock(r.requestedAt, ctx.zone)})),
      r.approvalNeed || r.approvalReason ? h('p', {class: 'explain', testid: 'approval-why'},
        t('approve.why', {why: approvalNeedText(r.approvalNeed, r.approvalReason)})) : null,
      c.guestWords ? h('p', {class: 'quote'}, `“${c.guestWords}”`) : null,
      h('a', {href: `#/case/${encodeURIComponent(c.caseId)}`}, c.caseId),
      actions);
    if (denying.has(id)) showDeny(false); else actions.replaceChildren(...buttons());
    return card;
  }

  function alertRow(a) {
    const tbl = table(a.checkId);
    const dismissable = a.kind === 'RECURRING_PROBLEM' || a.kind === 'ADAPTER_PROBLEM';
    return h('article', {class: `alert alert-${a.kind}`, testid: 'alert', 'data-kind': a.kind || 'KIND_UNSPECIFIED'},
      h('div', {class: 'row spread'}, h('strong', {}, t(`alert.${a.kind}`)),
        h('span', {class: 'muted'}, [tbl ? t('checks.table', {table: tbl}) : '', clock(a.at, ctx.zone)].filter(Boolean).join(' · '))),
      h('p', {testid: 'alert-text'}, alertText(a, {name, category: (id) => (ctx.categories.get(id) || {}).label, zone: ctx.zone})),
      a.caseId ? h('a', {class: 'small', href: `#/case/${encodeURIComponent(a.caseId)}`}, a.caseId) : null,
      dismissable ? h('button', {class: 'btn btn-ghost', type: 'button', onclick: () => watch.dismiss(a.alertId)}, t('dismiss')) : null);
  }

  function render() {
    const pending = watch.pendingApprovals();
    reconcile(approvals, pending, (p) => p.r.remedyApplicationId,
      (p) => JSON.stringify([p.c, table(p.c.checkId), ctx.names.size, ctx.categories.size, ctx.zone]), approvalCard);
    noApprovals.hidden = pending.length > 0;
    const list = watch.activeAlerts();
    reconcile(alerts, list, (a) => a.alertId,
      (a) => JSON.stringify([a, table(a.checkId), ctx.names.size, ctx.categories.size, ctx.zone]), alertRow);
    noAlerts.hidden = list.length > 0;
  }

  const watch = new RecoveryWatch({
    open: (request, opts) => apiStream('RecoveryService', 'WatchRecoveries', request, opts),
    onChange: () => { render(); soon(); },
    onStatus: (state, detail) => {
      status.setAttribute('data-state', state);
      status.textContent = state === 'live' ? t('watch.live') : state === 'stopped' ? t('watch.stopped') : t('watch.reconnecting');
      if (state === 'live' && detail && detail.start === 'RESUMED' && detail.updates) notify(t('watch.resumed', {n: detail.updates}));
    },
    onFatal: (err) => showError(err, t('manager.cannotWatch')),
  });

  function figure(testid, label, value) {
    return h('div', {class: 'figure'}, h('span', {class: 'figure-value', testid}, value), h('span', {class: 'muted'}, label));
  }

  let denied = false; // a SERVER here: one refusal is enough, do not poll it
  async function today() {
    if (denied) return;
    try {
      const loc = await getLocation();
      ctx.zone = loc.timezone || '';
      ctx.dayStarts = loc.businessDayStarts || '04:00';
      ctx.date = businessDate(new Date(), ctx.zone, ctx.dayStarts);
      report.setAttribute('href', `/reports/end-of-day?date=${ctx.date}`);
      zoneNote.textContent = t('manager.dayNote', {date: ctx.date, zone: ctx.zone});
      const r = await api('ReportService', 'EndOfDay', {businessDate: ctx.date});
      const p50 = parseDuration(r.responseP50);
      const share = r.costShareBps ? ` (${(r.costShareBps / 100).toLocaleString(language(), {maximumFractionDigits: 1})} %)` : '';
      figures.replaceChildren(
        figure('today-cases', t('today.cases'), String(r.cases || 0)),
        figure('today-cost', t('today.cost', {sales: money(r.sales || {minorUnits: '0'}, loc.currency)}), `${money(r.recoveryCost || {minorUnits: '0'}, loc.currency)}${share}`),
        figure('today-p50', t('today.p50'), p50 === null ? '—' : duration(p50)),
        figure('today-open', t('today.open'), String(r.openAtDayEnd || 0)));
    } catch (err) {
      if (err instanceof ConnectError && err.code === 'permission_denied') denied = true;
      if (!(err instanceof OfflineError)) showError(err, t('manager.cannotReport'));
    }
  }
  let debounce = null;
  const soon = () => { clearTimeout(debounce); debounce = setTimeout(today, 3000); };

  // The report needs the Authorization header, so it cannot be a plain
  // link: fetch it and show it in a tab opened during the tap itself (where
  // popup blockers allow it). That tab inherits this page's CSP, which
  // refuses the report's inline <style>: its CSS goes in as a constructed
  // stylesheet instead (CSSOM, which the CSP allows). The HTML is
  // makegoodd's own report; DOMParser leaves any script in it inert. With
  // no tab (a blocker said no) the file is downloaded as it came.
  async function openReport(e) {
    e.preventDefault();
    if (!ctx.date) return;
    const win = window.open('', '_blank');
    try {
      const res = await fetch(`/reports/end-of-day?date=${encodeURIComponent(ctx.date)}`, {
        headers: {Authorization: `Bearer ${sessionToken()}`}, credentials: 'omit', cache: 'no-store'});
      const html = await res.text();
      if (!res.ok) {
        let body = null;
        try { body = JSON.parse(html); } catch (_) { /* not a Connect error */ }
        throw errorFrom(body, res.status);
      }
      if (!win) {
        const url = URL.createObjectURL(new Blob([html], {type: 'text/html'}));
        h('a', {href: url, download: `end-of-day-${ctx.date}.html`}).click();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        return;
      }
      win.opener = null;
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const css = [...doc.querySelectorAll('style')].map((el) => { el.remove(); return el.textContent; }).join('\n');
      const sheet = new win.CSSStyleSheet();
      sheet.replaceSync(css);
      win.document.adoptedStyleSheets = [sheet];
      win.document.title = doc.title;
      win.document.body.replaceChildren(...[...doc.body.childNodes].map((n) => win.document.importNode(n, true)));
    } catch (err) {
      if (win) win.close();
      showError(err instanceof TypeError ? new OfflineError() : err, t('manager.cannotReport'));
    }
  }

  Promise.all([staffNames(), categoryMap(language())]).then(([names, categories]) => {
    ctx.names = names;
    ctx.categories = categories;
    render();
  });
  render();
  watch.start();
  today();
  const stopPoll = whileVisible(today, 60000);
  // The stream has no keepalive a page can see: after a network change or
  // a long sleep, reconnect rather than trust a connection that may be dead.
  let hiddenAt = 0;
  const onOnline = () => watch.restart();
  const onVisible = () => {
    if (document.visibilityState === 'hidden') hiddenAt = Date.now();
    else if (hiddenAt && Date.now() - hiddenAt > 30000) watch.restart();
  };
  window.addEventListener('online', onOnline);
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    watch.stop();
    stopPoll();
    clearTimeout(debounce);
    window.removeEventListener('online', onOnline);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

function duration(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? t('duration.s', {s}) : t('duration.ms', {m: Math.floor(s / 60), s: s % 60});
}
