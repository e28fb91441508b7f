// A case: the guidance first (what to say and do), the ranked options and
// the extras (one press applies one), every remedy applied with its status,
// and the guest's answer. While a remedy waits for a manager or for the POS
// the case is read again every 2 s.
import {h, reconcile, whileVisible} from '../dom.js';
import {t, language} from '../i18n.js';
import {api, mutate, getLocation, categoryMap, rememberCase, cachedCase, queuedEntries} from '../session.js';
import {showError, notify} from '../ui.js';
import {clock, money} from '../format.js';
import {ConnectError, OfflineError} from '../connect.js';
import {approvalNeedText} from '../alert_text.js';

const CAUSES = ['KITCHEN', 'FRONT_OF_HOUSE', 'SUPPLIER', 'PROCESS', 'PRODUCT', 'OTHER'];
const LIVE = new Set(['PENDING_APPROVAL', 'SENT', 'APPLIED']); // an option in one of these is taken
const closed = (c) => c.status === 'RESOLVED' || c.status === 'GUEST_LEFT';

export function mount(root, caseId) {
  const cached = cachedCase(caseId);
  const ui = {
    c: cached, zone: '', categories: new Map(), table: '', lines: new Map(),
    offerNew: !!(cached && cached.alreadyOpen), // FlagProblem returned an open case: maybe it is another problem
    response: '', cause: '', action: '', needCause: false, busy: new Set(),
  };
  const sections = h('div', {class: 'case'});
  root.append(sections);
  let alive = true;

  const optionById = (id) => [...(ui.c.options || []), ...(ui.c.extras || [])].find((o) => o.optionId === id);
  const queued = () => queuedEntries().filter((e) => e.request.caseId === caseId);

  function head() {
    const c = ui.c;
    const cat = ui.categories.get(c.categoryId);
    return h('section', {class: 'panel'},
      h('div', {class: 'row spread'},
        h('h1', {testid: 'case-id'}, c.caseId),
        h('span', {class: `badge status-${c.status || 'OPEN'}`}, t(`case.${c.status || 'OPEN'}`))),
      h('p', {}, [cat ? cat.label : c.categoryId, c.severity ? t(`sev.${c.severity}`) : '',
        ui.table ? t('checks.table', {table: ui.table}) : '',
        (c.lineIds || []).map((l) => ui.lines.get(l) || l).join(', ') || t('check.wholeCheck')].filter(Boolean).join(' · ')),
      c.guestWords ? h('p', {class: 'quote'}, `“${c.guestWords}”`) : null,
      h('p', {class: 'muted small'}, [c.flaggedAt ? t('case.flaggedAt', {time: clock(c.flaggedAt, ui.zone)}) : '',
        c.totalCost && Number(c.totalCost.minorUnits) ? t('case.total', {amount: money(c.totalCost)}) : '', ui.zone ? t('timesIn', {zone: ui.zone}) : '']
        .filter(Boolean).join(' · ')),
      h('a', {class: 'btn btn-ghost', href: `#/check/${encodeURIComponent(c.checkId)}`}, `← ${t('case.toCheck')}`),
      ui.offerNew && !closed(c) ? h('div', {class: 'notice'}, h('p', {}, t('case.alreadyOpen')),
        h('button', {class: 'btn', type: 'button', testid: 'flag-new-problem', onclick: flagNew}, t('case.newProblem'))) : null);
  }

  function guidance() {
    // What the case carries, and the category's text in the person's own
    // language when that differs (the case may hold the default text).
    const cat = ui.categories.get(ui.c.categoryId);
    const own = language() !== 'en' && cat && cat.guidance !== ui.c.guidance ? cat.guidance : '';
    const text = ui.c.guidance || (cat && cat.guidance) || '';
    return h('section', {class: 'guidance', testid: 'guidance'}, own || text,
      own && text ? h('span', {class: 'guidance-original muted'}, text) : null);
  }

  function optionState(o) {
    const mine = (ui.c.remedies || []).filter((r) => r.optionId === o.optionId);
    if (o.declined) return 'declined';
    if (mine.some((r) => LIVE.has(r.status))) return 'taken';
    if (queued().some((e) => e.method === 'ApplyRemedy' && (e.request.optionId === o.optionId ||
      (e.request.extraOptionIds || []).includes(o.optionId)))) return 'queued';
    return 'open';
  }

  function optionButton(o, kind, next) {
    const st = optionState(o);
    const testid = `${kind}-${o.optionId}`;
    return h('button', {class: `btn btn-option${next ? ' next' : ''} opt-${st}`, type: 'button', testid,
      disabled: st !== 'open' || closed(ui.c) || ui.busy.has(testid),
      onclick: () => apply(kind === 'option' ? {optionId: o.optionId} : {extraOptionIds: [o.optionId]}, testid, o)},
    h('span', {class: 'option-label'}, o.label || o.remedyId),
    h('span', {class: 'option-cost'}, o.estimatedCost ? money(o.estimatedCost)
      : t(`kind.${o.kind}`) !== o.label ? t(`kind.${o.kind}`) : ''),
    st !== 'open' ? h('span', {class: 'badge'}, t(`option.${st}`)) : null);
  }

  function options() {
    const opts = ui.c.options || [];
    const next = opts.find((o) => optionState(o) === 'open');
    return h('section', {class: 'panel'}, h('h2', {}, t('case.options')),
      opts.length ? h('div', {class: 'option-list'}, opts.map((o) => optionButton(o, 'option', o === next)))
        : h('p', {class: 'muted'}, t('case.noOptions')),
      (ui.c.extras || []).length ? [h('h2', {}, t('case.extras')),
        h('div', {class: 'option-list'}, ui.c.extras.map((o) => optionButton(o, 'extra', false)))] : null);
  }

  function remedyRow(r) {
    const o = optionById(r.optionId);
    const st = r.status || 'STATUS_UNSPECIFIED';
    return h('div', {class: `remedy status-${st}`, testid: 'remedy-status', 'data-remedy-id': r.remedyApplicationId, 'data-status': st},
      h('div', {class: 'row spread'},
        h('span', {class: 'option-label'}, (o && o.label) || t(`kind.${r.kind}`)),
        h('span', {class: 'badge'}, t(`remedy.${st}`))),
      h('p', {class: 'muted'}, [r.cost ? money(r.cost) : '', r.lineId ? ui.lines.get(r.lineId) || r.lineId : '',
        r.appliedAt ? clock(r.appliedAt, ui.zone) : clock(r.requestedAt, ui.zone)].filter(Boolean).join(' · ')),
      st === 'PENDING_APPROVAL' ? h('p', {class: 'explain'}, t('remedy.waitingExplain'), r.approvalNeed || r.approvalReason ? ` (${approvalNeedText(r.approvalNeed, r.approvalReason)})` : '') : null,
      (st === 'DENIED' || st === 'REJECTED') && r.rejectionReason ? h('p', {class: 'explain'}, r.rejectionReason) : null,
      r.discountCode ? h('p', {class: 'code'}, h('span', {class: 'muted'}, `${t('remedy.code')} `), h('strong', {}, r.discountCode),
        r.codeExpiresAt ? h('span', {class: 'muted'}, ` ${t('remedy.expires', {date: new Date(r.codeExpiresAt).toLocaleDateString(language())})}`) : null) : null,
      r.deliveryStuck ? h('p', {class: 'explain warn'}, t('remedy.stuck')) : null);
  }

  function remedies() {
    const list = ui.c.remedies || [];
    const q = queued();
    return h('section', {class: 'panel'}, h('h2', {}, t('case.remedies')),
      list.length ? list.map(remedyRow) : h('p', {class: 'muted'}, t('case.noRemedies')),
      q.length ? h('p', {class: 'badge badge-warn'}, t('case.queued', {n: q.length})) : null);
  }

  function outcome() {
    const c = ui.c;
    const isClosed = closed(c);
    if (isClosed && c.rootCause && c.rootCause !== 'ROOT_CAUSE_UNSPECIFIED') {
      return h('section', {class: 'panel'}, h('h2', {}, t('case.outcome')),
        h('p', {}, [c.guestResponse ? t(`response.${c.guestResponse}`) : '', t(`cause.${c.rootCause}`), c.actionTaken].filter(Boolean).join(' · ')));
    }
    const responses = ['ACCEPTED', 'DECLINED', 'LEFT'].map((r) => h('button', {class: 'btn seg', type: 'button',
      testid: `outcome-${r.toLowerCase()}`, 'aria-pressed': String(ui.response === r),
      onclick: () => { ui.response = r; render(); }}, t(`response.${r}`)));
    const cause = h('select', {id: 'root-cause', class: 'field', testid: 'root-cause', value: ui.cause,
      onchange: (e) => { ui.cause = e.target.value; }},
    h('option', {value: ''}, t('case.causeUnknown')), CAUSES.map((k) => h('option', {value: k}, t(`cause.${k}`))));
    const action = h('input', {id: 'action-text', class: 'field', testid: 'action-text', maxlength: '2000', value: ui.action,
      oninput: (e) => { ui.action = e.target.value; }});
    return h('section', {class: `panel${ui.needCause ? ' attention' : ''}`}, h('h2', {}, t('case.outcome')),
      isClosed ? h('p', {}, c.guestResponse ? t(`response.${c.guestResponse}`) : t(`case.${c.status}`)) : h('div', {class: 'seg-row'}, responses),
      ui.needCause ? h('p', {class: 'explain warn'}, t('case.causeNeeded')) : null,
      h('label', {class: 'label', for: 'root-cause'}, t('case.cause')), cause,
      h('label', {class: 'label', for: 'action-text'}, t('case.action')), action,
      h('button', {class: 'btn btn-primary', type: 'button', testid: 'outcome-submit', disabled: ui.busy.has('outcome'),
        onclick: submitOutcome}, t('case.submitOutcome')));
  }

  function render() {
    if (!alive || !ui.c) return;
    const parts = [
      ['head', head, [ui.c, ui.table, ui.offerNew]],
      ['guidance', guidance, [ui.c.guidance, ui.c.categoryId]],
      ['options', options, [ui.c.options, ui.c.extras, ui.c.remedies, ui.c.status, queued().length, [...ui.busy]]],
      ['remedies', remedies, [ui.c.remedies, ui.c.options, queued().length]],
      ['outcome', outcome, [ui.c.status, ui.c.guestResponse, ui.c.rootCause, ui.response, ui.needCause, ui.busy.has('outcome')]],
    ];
    reconcile(sections, parts, (p) => p[0], (p) => JSON.stringify([p[2], ui.zone, ui.lines.size, ui.categories.size]), (p) => p[1]());
  }

  function took(c) {
    ui.c = rememberCase(c);
    render();
  }

  async function apply(body, testid, o) {
    ui.busy.add(testid);
    render();
    try {
      const r = await mutate('RecoveryService', 'ApplyRemedy', {caseId, ...body},
        t('apply.about', {what: o.label || o.remedyId, id: caseId}));
      if (r.queued) notify(t('queue.queuedOne'));
      else took(r.response);
    } catch (err) {
      showError(err, t('apply.failed'));
    } finally {
      ui.busy.delete(testid);
      render();
    }
  }

  async function submitOutcome() {
    const body = {caseId};
    if (ui.response && !closed(ui.c)) body.guestResponse = ui.response;
    if (ui.cause) body.rootCause = ui.cause;
    if (ui.action.trim()) body.actionTaken = ui.action.trim();
    if (Object.keys(body).length === 1) { showError(t('case.pickOutcome')); return; }
    ui.busy.add('outcome');
    render();
    try {
      const r = await mutate('RecoveryService', 'RecordOutcome', body, t('outcome.about', {id: caseId}));
      if (r.queued) notify(t('queue.queuedOne'));
      else {
        Object.assign(ui, {response: '', cause: '', action: '', needCause: false});
        took(r.response);
      }
    } catch (err) {
      // Closing needs a root cause and action (outcomes.require_root_cause).
      if (err instanceof ConnectError && err.reason === 'ROOT_CAUSE_REQUIRED') ui.needCause = true;
      showError(err, t('outcome.failed'));
    } finally {
      ui.busy.delete('outcome');
      render();
    }
  }

  async function flagNew() {
    const c = ui.c;
    try {
      const r = await mutate('RecoveryService', 'FlagProblem', {checkId: c.checkId, lineIds: c.lineIds || [],
        categoryId: c.categoryId, severity: c.severity, newProblem: true}, t('flag.about', {what: c.caseId, table: ui.table || c.checkId}));
      ui.offerNew = false;
      if (r.queued) { notify(t('queue.queuedOne')); render(); return; }
      rememberCase(r.response);
      location.hash = `#/case/${encodeURIComponent(r.response.caseId)}`;
    } catch (err) {
      showError(err, t('flag.failed'));
    }
  }

  async function load(first) {
    try {
      const c = await api('RecoveryService', 'GetRecovery', {caseId});
      if (!alive) return;
      ui.c = rememberCase(c);
      render();
    } catch (err) {
      if (first || !(err instanceof OfflineError)) showError(err, t('case.cannotLoad'));
    }
  }

  async function context() {
    const [loc, categories] = await Promise.all([getLocation().catch(() => ({})), categoryMap(language())]);
    ui.zone = loc.timezone || '';
    ui.categories = categories;
    render();
    if (!ui.c) return;
    try {
      const check = await api('CheckService', 'GetCheck', {checkId: ui.c.checkId});
      ui.table = check.table || '';
      ui.lines = new Map((check.items || []).map((i) => [i.lineId, i.name || i.sku || i.lineId]));
      render();
    } catch (_) { /* the case reads fine without item names */ }
  }

  render();
  load(true).then(context);
  // Poll while something is on its way: a manager's decision, the POS's
  // answer, or our own queued request.
  const stop = whileVisible(() => {
    const moving = ui.c && (ui.c.remedies || []).some((r) => r.status === 'PENDING_APPROVAL' || r.status === 'SENT');
    return moving || queued().length ? load(false) : null;
  }, 2000);
  const onSent = (e) => {
    const entry = e.detail.entry;
    if (entry.request.caseId === caseId && e.detail.response) took(e.detail.response);
    else render();
  };
  window.addEventListener('makegood:sent', onSent);
  return () => { alive = false; stop(); window.removeEventListener('makegood:sent', onSent); };
}
