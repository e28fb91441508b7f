// The manager screen's live state from RecoveryService.WatchRecoveries, and
// the reconnecting around it (see RecoveryUpdate in recovery.proto):
//  - a stream starts with a catch-up: a snapshot (updates with `snapshot`
//    set, sequence 0) or the missed updates again, then one `caughtUp`;
//  - after a snapshot (SNAPSHOT, SNAPSHOT_TOO_OLD, SNAPSHOT_OTHER_RUN) the
//    state is replaced by the snapshot's updates, which are held back until
//    caughtUp so that a stream cut mid-snapshot never leaves half a state;
//  - after RESUMED the state is kept and the missed updates were applied;
//  - the resume point is the largest sequence seen with its stream_epoch;
//  - a broken or ended stream reconnects after 0.5 s, doubling up to 10 s
//    (as `makegood watch` does), back to 0.5 s once caught up again.
// Transport-free: `open(request, {signal, onMessage})` is the stream call,
// so the logic runs without a browser.

const isClosed = (c) => c.status === 'RESOLVED' || c.status === 'GUEST_LEFT';
const SNAPSHOT_STARTS = new Set(['SNAPSHOT', 'SNAPSHOT_TOO_OLD', 'SNAPSHOT_OTHER_RUN', 'START_UNSPECIFIED', undefined]);
// Refusals that reconnecting cannot cure.
const FATAL = new Set(['permission_denied', 'unauthenticated', 'unimplemented']);

export class RecoveryWatch {
  // onChange(): the state changed; onStatus('live'|'reconnecting'|'stopped',
  // detail); onFatal(err): a refusal, the watch stopped.
  constructor({open, onChange, onStatus, onFatal}) {
    Object.assign(this, {open, onChange, onStatus, onFatal});
    this.cases = new Map(); // open cases, and closed ones with a stuck delivery
    this.closedIds = new Set(); // cases seen closed: their alerts are over
    this.alerts = new Map(); // alertId → alert (with `at`)
    this.dismissed = new Set(); // alert ids the manager put away
    this.told = new Map(); // caseId → this.ticks when the stream last told of it
    this.ticks = 0;
    this.after = 0;
    this.epoch = '';
    this.stopped = true;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.run();
  }

  stop() {
    this.stopped = true;
    if (this.ctl) this.ctl.abort();
    if (this.wake) this.wake();
  }

  // Reconnect now (the network came back, the tablet woke up).
  restart() {
    if (this.stopped) return;
    this.delay = 500;
    if (this.ctl) this.ctl.abort();
    if (this.wake) this.wake();
  }

  status(state, detail) {
    this.state = state;
    if (this.onStatus) this.onStatus(state, detail);
  }

  async run() {
    this.delay = 500;
    while (!this.stopped) {
      this.ctl = new AbortController();
      const held = []; // snapshot updates, until caughtUp
      this.status('reconnecting');
      const request = this.after > 0 && this.epoch ? {afterSequence: String(this.after), streamEpoch: this.epoch} : {};
      try {
        await this.open(request, {signal: this.ctl.signal, onMessage: (u) => this.take(u, held)});
      } catch (err) {
        if (this.stopped) return;
        if (err && err.name !== 'AbortError' && err.code) {
          if (FATAL.has(err.code)) {
            this.stopped = true;
            this.status('stopped', err);
            if (this.onFatal) this.onFatal(err);
            return;
          }
          // A resume point the server does not take: start over.
          if (err.code === 'invalid_argument') { this.after = 0; this.epoch = ''; }
        }
      }
      if (this.stopped) return;
      this.status('reconnecting');
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, this.delay);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = null;
      this.delay = Math.min(this.delay * 2, 10000);
    }
  }

  take(u, held) {
    if (u.caughtUp) {
      const start = u.caughtUp.start;
      if (SNAPSHOT_STARTS.has(start)) {
        this.cases.clear();
        this.closedIds.clear();
        this.alerts.clear();
        for (const s of held) this.apply(s);
      }
      held.length = 0;
      this.after = Number(u.sequence || 0);
      this.epoch = u.streamEpoch || '';
      this.delay = 500;
      this.lastStart = {start: start || 'SNAPSHOT', updates: u.caughtUp.updates || 0};
      this.status('live', this.lastStart);
      this.changed();
      return;
    }
    if (u.snapshot) { held.push(u); return; }
    const seq = Number(u.sequence || 0);
    if (seq > 0) { // live updates come in sequence order
      this.after = seq;
      this.epoch = u.streamEpoch || '';
    }
    this.apply(u);
    this.changed();
  }

  changed() {
    if (this.onChange) this.onChange();
  }

  apply(u) {
    if (u.caseChanged) {
      this.told.set(u.caseChanged.caseId, ++this.ticks);
      this.putCase(u.caseChanged);
    }
    if (u.alert) this.alerts.set(u.alert.alertId, {...u.alert, at: u.at});
  }

  // What the stream has told of a case so far, for putAnswer().
  version(caseId) {
    return this.told.get(caseId) || 0;
  }

  // The answer of our own call (ApproveRemedy), shown ahead of the stream;
  // `version` is version(caseId) from before the call. When the stream told
  // of the case since, the answer is dropped: the stream, in commit order,
  // is as new or brings the call's change next, while the answer may be
  // older (the POS refused the remedy before the answer arrived).
  putAnswer(c, version) {
    if (this.version(c.caseId) === version) this.putCase(c);
  }

  putCase(c) {
    const stuck = (c.remedies || []).some((r) => r.deliveryStuck);
    if (isClosed(c)) this.closedIds.add(c.caseId);
    if (isClosed(c) && !stuck) this.cases.delete(c.caseId);
    else this.cases.set(c.caseId, c);
  }

  // Remedies waiting for approval, oldest request first.
  pendingApprovals() {
    const out = [];
    for (const c of this.cases.values()) {
      if (isClosed(c)) continue;
      for (const r of c.remedies || []) if (r.status === 'PENDING_APPROVAL') out.push({c, r});
    }
    return out.sort((a, b) => String(a.r.requestedAt || '').localeCompare(String(b.r.requestedAt || '')));
  }

  // The alerts that still stand, by the rules the snapshot uses: a visit
  // or a rejected command until its case closes (a rejected one also until
  // a later remedy went out), a stuck delivery until answered; recurring
  // problems and adapter problems until dismissed. PENDING_APPROVAL alerts
  // are left to pendingApprovals(), which can act on them.
  activeAlerts() {
    const keep = (a) => {
      if (this.dismissed.has(a.alertId)) return false;
      const c = a.caseId ? this.cases.get(a.caseId) : null;
      const over = a.caseId && this.closedIds.has(a.caseId) && !c;
      switch (a.kind) {
        case 'PENDING_APPROVAL': return false;
        case 'MANAGER_VISIT_REQUESTED': return !over && !(c && isClosed(c));
        case 'COMMAND_REJECTED': return !over && !(c && (isClosed(c) || !rejectedStands(c)));
        case 'COMMAND_STUCK': return !over && !(c && !(c.remedies || []).some((r) => r.deliveryStuck));
        default: return true;
      }
    };
    const out = [];
    for (const [id, a] of this.alerts) {
      if (keep(a)) out.push(a);
      else this.alerts.delete(id);
    }
    return out.reverse(); // newest first
  }

  dismiss(alertId) {
    this.dismissed.add(alertId);
    this.changed();
  }
}

// A REJECTED remedy with no remedy SENT or APPLIED after it.
function rejectedStands(c) {
  const list = c.remedies || [];
  const last = list.map((r) => r.status).lastIndexOf('REJECTED');
  return last >= 0 && !list.slice(last + 1).some((r) => r.status === 'SENT' || r.status === 'APPLIED');
}
