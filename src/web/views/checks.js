// My open checks: big cards by table, the signed-in person's own first,
// refreshed every 5 s while the screen is visible.
import {h, reconcile, whileVisible} from '../dom.js';
import {t} from '../i18n.js';
import {api, current, getLocation} from '../session.js';
import {showError} from '../ui.js';
import {clock, minutesSince} from '../format.js';
import {OfflineError} from '../connect.js';

const byTable = (a, b) => String(a.table || '').localeCompare(String(b.table || ''), undefined, {numeric: true});

export function mount(root) {
  const me = current();
  const list = h('div', {class: 'card-grid', testid: 'checks-list'});
  const empty = h('p', {class: 'muted', hidden: true}, t('checks.none'));
  root.append(h('h1', {}, t('checks.title')), empty, list);
  let zone = '';
  let first = true;

  function card(c) {
    const since = c.openedAt || c.firstEventAt;
    const mins = minutesSince(since);
    const mine = c.serverId === me.principalId;
    return h('a', {class: `check-card${mine ? ' mine' : ''}`, href: `#/check/${encodeURIComponent(c.checkId)}`, testid: `check-${c.checkId}`},
      h('span', {class: 'check-table'}, c.table ? t('checks.table', {table: c.table}) : t('checks.noTable')),
      h('span', {}, t('checks.guests', {n: c.guestCount || 0})),
      mins === null ? null : h('span', {}, t('checks.open', {minutes: mins, time: clock(since, zone)})),
      h('span', {class: 'muted'}, t('checks.number', {id: c.checkId})),
      mine ? h('span', {class: 'badge'}, t('checks.mine')) : null);
  }

  async function load() {
    try {
      if (!zone) zone = (await getLocation()).timezone || '';
      const res = await api('CheckService', 'ListChecks', {openOnly: true, pageSize: 500});
      const checks = res.checks || [];
      const mine = checks.filter((c) => c.serverId === me.principalId).sort(byTable);
      const others = checks.filter((c) => c.serverId !== me.principalId).sort(byTable);
      const now = Math.floor(Date.now() / 60000);
      reconcile(list, [...mine, ...others], (c) => c.checkId, (c) => `${now}|${JSON.stringify(c)}`, card);
      empty.hidden = checks.length > 0;
    } catch (err) {
      // A background refresh that finds no network is shown by the header's
      // offline mark, not by a banner every 5 s.
      if (first || !(err instanceof OfflineError)) showError(err, t('checks.cannotLoad'));
    }
    first = false;
  }
  load();
  return whileVisible(load, 5000);
}
