// Alerts and approval needs worded in the reader's language from their
// facts (Alert.facts, AppliedRemedy.approvalNeed): the server's `message`
// and `approvalReason` are English, for logs and the CLI. An answer without
// facts (an older makegoodd) falls back to the server's words.
import {t} from './i18n.js';
import {money, clock} from './format.js';

// ApprovalNeed → "over the Server limit of $25.00 per case (…)".
export function approvalNeedText(need, fallback = '') {
  if (!need || !need.limit || need.limit === 'LIMIT_UNSPECIFIED') return fallback;
  return t(`need.${need.limit}`, {
    role: t(`role.${need.role || 'ROLE_UNSPECIFIED'}`),
    limit: money(need.limitAmount),
    reached: money(need.reached),
  });
}

// "2 min", "90 s": how long the POS has not answered.
function waitText(seconds) {
  const s = Number(seconds) || 0;
  return s >= 60 && s % 60 === 0 ? t('wait.minutes', {n: s / 60}) : t('wait.seconds', {n: s});
}

const remedyName = (kind) => t(`kind.${kind || 'REMEDY_KIND_UNSPECIFIED'}`);

// ctx: name(staffId) → display name; category(categoryId) → label; zone:
// the location's time zone.
export function alertText(a, ctx) {
  const category = (id) => ctx.category(id) || id || '';
  if (a.approvalAsked) {
    const f = a.approvalAsked;
    return t('alertText.approval', {name: ctx.name(f.requestedBy), remedy: remedyName(f.remedyKind),
      amount: money(f.cost), why: approvalNeedText(f.need)});
  }
  if (a.managerVisit) {
    const f = a.managerVisit;
    const params = {table: f.table, check: a.checkId, category: category(f.categoryId),
      severity: t(`sev.${f.severity || 'SEVERITY_UNSPECIFIED'}`)};
    return t(f.table ? 'alertText.visitTable' : 'alertText.visitCheck', params);
  }
  if (a.commandRejected) {
    const f = a.commandRejected;
    const refused = t('alertText.rejected', {remedy: remedyName(f.remedyKind), reason: f.vendorReason || '—'});
    const next = f.nextOptionId ? t('alertText.offerNext', {option: f.nextOptionLabel || f.nextOptionId}) : t('alertText.noneLeft');
    return `${refused} ${next}`;
  }
  if (a.commandStuck) {
    const f = a.commandStuck;
    return t('alertText.stuck', {remedy: remedyName(f.remedyKind), wait: waitText(f.stuckAfterSeconds)});
  }
  if (a.recurringProblem) {
    const f = a.recurringProblem;
    return t('alertText.recurring', {
      what: f.station ? t('alertText.station', {station: f.station}) : f.itemName,
      count: f.count, category: category(f.categoryId),
      from: clock(f.firstAt, ctx.zone), to: clock(f.lastAt, ctx.zone)});
  }
  if (a.adapterProblem) {
    const f = a.adapterProblem;
    const key = f.problem === 'DELIVERY_UNREADABLE' ? 'alertText.adapterUnreadable' : 'alertText.adapter';
    const text = t(key, {adapter: f.adapterName});
    return f.vendorMessage ? `${text} (${f.vendorMessage})` : text;
  }
  return a.message || '';
}
