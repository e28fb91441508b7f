// A recovery on the tablet, as a server and a manager do it: flag, guidance,
// a comp over the server's limit, the manager's approval on another tablet,
// the POS applying it; a double tap; a press made while the network is down.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { field } from './lib/connect.js';
import { sampleConfig } from './lib/daemon.js';
import { publishLiveCheck } from './lib/events.js';
import { kSlowWaitMs, launchBrowser, runScenario } from './lib/harness.js';
import {
  assertOneCase,
  casesOfCheck,
  getRecovery,
  kDana,
  kLee,
  openCategories,
  openCheck,
  pairTablet,
  remedyRow,
  signIn,
  tap,
  textOf,
  tid,
  waitForCase,
  watchRpc,
} from './lib/tablet.js';

// The tablet's Spanish texts. src/web has no package.json making its files
// ES modules for Node, so the catalog is imported from its text.
const esSource = fs.readFileSync(new URL('../../src/web/i18n/es.js', import.meta.url));
const { default: es } = await import(`data:text/javascript;base64,${esSource.toString('base64')}`);

// wrong_item offers a refire and a comp of the item whatever the severity;
// line 1 costs 42.00, over a SERVER's 25.00 per case.
const kCategory = 'wrong_item';
const kLine = '1';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// Dana flags line 1 of a new check `checkId` on her tablet: the case's id
// and her page, on the case.
async function flagAsDana(s, checkId) {
  await publishLiveCheck(s.baseUrl, { checkId, serverId: kDana.id });
  const server = await s.tablet('server');
  await pairTablet(server, s.baseUrl);
  await signIn(server, kDana);
  await openCheck(server, checkId);
  await openCategories(server, kLine, kCategory);
  await tap(server, `category-${kCategory}`);
  return { server, caseId: await waitForCase(server) };
}

test('a comp over the server limit waits for the manager, then is sent and applied', { timeout: 120000 }, async () => {
  await runScenario(browser, 'approval_flow', async (s) => {
    const adapter = s.adapter({ autoAck: false });
    const { server, caseId } = await flagAsDana(s, '3101');

    // The guidance of the category, as the server stored it on the case.
    let recovery = await getRecovery(s.baseUrl, caseId);
    const guidance = field(recovery, 'guidance');
    assert.ok(guidance, `case ${caseId} has no guidance`);
    const shown = await textOf(server, tid('guidance'));
    assert.ok(shown.includes(guidance.trim()), `guidance shows ${JSON.stringify(shown)}, the case has ${JSON.stringify(guidance)}`);
    assert.equal(field(recovery, 'flaggedBy'), kDana.id);

    const comp = (field(recovery, 'options') ?? []).find((o) => field(o, 'remedyId') === 'comp_item');
    assert.ok(comp, `no comp_item among the options: ${JSON.stringify(field(recovery, 'options'))}`);
    const compOption = field(comp, 'optionId');
    await tap(server, `option-${compOption}`);

    const pending = await server.waitForSelector(remedyRow('PENDING_APPROVAL'), { visible: true });
    const remedyId = await pending.evaluate((el) => el.getAttribute('data-remedy-id'));
    assert.match(remedyId, /^RA-/);
    recovery = await getRecovery(s.baseUrl, caseId);
    assert.equal(field(recovery, 'status'), 'PENDING_APPROVAL');
    await s.shot(server, 'pending');

    // The manager, on another tablet.
    const manager = await s.tablet('manager');
    await pairTablet(manager, s.baseUrl);
    await signIn(manager, kLee);
    await tap(manager, 'nav-manager');
    await manager.waitForSelector(tid(`approval-${remedyId}`), { visible: true });
    await s.shot(manager, 'approval');
    await tap(manager, `approve-${remedyId}`);
    await manager.waitForSelector(tid(`approve-${remedyId}`), { hidden: true });

    // Sent to the POS: the adapter holds its answer until the server's screen
    // shows SENT.
    const command = await adapter.waitForCommand((c) => field(c, 'caseId') === caseId);
    const action = field(command, 'applyRemedy');
    assert.equal(field(action, 'kind'), 'COMP_ITEM');
    assert.equal(Number(field(field(action, 'amount'), 'minorUnits')), 4200);
    await server.waitForSelector(remedyRow('SENT', remedyId), { visible: true, timeout: kSlowWaitMs });
    await s.shot(server, 'sent');

    await adapter.release();
    await server.waitForSelector(remedyRow('APPLIED', remedyId), { visible: true, timeout: kSlowWaitMs });

    recovery = await getRecovery(s.baseUrl, caseId);
    const remedy = (field(recovery, 'remedies') ?? []).find((r) => field(r, 'remedyApplicationId') === remedyId);
    assert.equal(field(remedy, 'status'), 'APPLIED');
    assert.equal(field(remedy, 'approvedBy'), kLee.id);
  });
});

test('a double tap on a category opens one case', { timeout: 80000 }, async () => {
  await runScenario(browser, 'double_tap', async (s) => {
    const checkId = '3102';
    await publishLiveCheck(s.baseUrl, { checkId, serverId: kDana.id });
    const page = await s.tablet('server');
    await pairTablet(page, s.baseUrl);
    await signIn(page, kDana);
    await openCheck(page, checkId);

    const flags = watchRpc(page, 'RecoveryService/FlagProblem');
    const category = await openCategories(page, kLine, kCategory);
    const box = await category.boundingBox();
    assert.ok(box, 'the category button has no box');
    // Two clicks in a row at the same spot, nothing between them.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { count: 2 });

    const caseId = await waitForCase(page);
    await flags.settled();
    const only = await assertOneCase(s.baseUrl, checkId);
    assert.equal(field(only, 'caseId'), caseId);
    process.stdout.write(`double tap: ${flags.started} FlagProblem call(s) from the page, one case\n`);
  });
});

test('a press while offline is queued, then sent once when back online', { timeout: 80000 }, async () => {
  await runScenario(browser, 'offline_queue', async (s) => {
    const checkId = '3103';
    await publishLiveCheck(s.baseUrl, { checkId, serverId: kDana.id });
    const page = await s.tablet('server');
    await pairTablet(page, s.baseUrl);
    await signIn(page, kDana);
    await openCheck(page, checkId);
    await openCategories(page, kLine, kCategory);

    const flags = watchRpc(page, 'RecoveryService/FlagProblem');
    await page.setOfflineMode(true);
    await tap(page, `category-${kCategory}`);
    await page.waitForSelector(`${tid('queue-banner')}[data-count="1"]`, { visible: true });
    await s.shot(page, 'queued');
    assert.equal(flags.ok(), 0, 'a FlagProblem call got through while offline');
    assert.equal((await casesOfCheck(s.baseUrl, checkId)).length, 0);

    await page.setOfflineMode(false);
    await page.waitForSelector(tid('queue-banner'), { hidden: true, timeout: kSlowWaitMs });
    await flags.settled();
    assert.equal(flags.ok(), 1, `FlagProblem answered ${flags.ok()} times after going online`);
    await assertOneCase(s.baseUrl, checkId);
  });
});

// Lee reads Spanish: the approval's reason and the POS's refusal are worded
// from es.js, not shown in the server's English.
test('a manager reads the approval need and the POS refusal in their language', { timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'makegood-es-manager-'));
  const config = path.join(dir, 'makegood.yaml');
  const sample = fs.readFileSync(sampleConfig(), 'utf8');
  const spanish = sample.replace('name: Lee, role: MANAGER,', 'name: Lee, role: MANAGER, language: es,');
  assert.notEqual(spanish, sample, 'the sample no longer has Lee as a MANAGER');
  fs.writeFileSync(config, spanish);
  const prefix = (key) => es[key].split('{')[0];
  try {
    await runScenario(browser, 'manager_in_spanish', async (s) => {
      const adapter = s.adapter({ autoAck: false });
      const { server, caseId } = await flagAsDana(s, '3401');
      const recovery = await getRecovery(s.baseUrl, caseId);
      const comp = (field(recovery, 'options') ?? []).find((o) => field(o, 'remedyId') === 'comp_item');
      await tap(server, `option-${field(comp, 'optionId')}`);
      const pending = await server.waitForSelector(remedyRow('PENDING_APPROVAL'), { visible: true });
      const remedyId = await pending.evaluate((el) => el.getAttribute('data-remedy-id'));

      const manager = await s.tablet('manager');
      await pairTablet(manager, s.baseUrl);
      await signIn(manager, kLee);
      await tap(manager, 'nav-manager');
      await manager.waitForSelector(tid(`approval-${remedyId}`), { visible: true });
      const why = await textOf(manager, `${tid(`approval-${remedyId}`)} ${tid('approval-why')}`);
      assert.ok(why.startsWith(prefix('approve.why') + prefix('need.PER_CASE')), `the approval says ${JSON.stringify(why)}`);
      assert.ok(why.includes(es['role.SERVER']), `the approval does not name the role: ${JSON.stringify(why)}`);
      assert.ok(!why.includes('over the'), `the approval shows the server's English: ${JSON.stringify(why)}`);
      await s.shot(manager, 'approval');

      await tap(manager, `approve-${remedyId}`);
      const command = await adapter.waitForCommand((c) => field(c, 'caseId') === caseId);
      await adapter.reject(field(command, 'commandId'), 'artículo anulado');
      await manager.waitForSelector(`${tid('alert')}[data-kind="COMMAND_REJECTED"]`, { visible: true, timeout: kSlowWaitMs });
      const refusal = await textOf(manager, `${tid('alert')}[data-kind="COMMAND_REJECTED"] ${tid('alert-text')}`);
      assert.ok(refusal.startsWith(prefix('alertText.rejected')), `the alert says ${JSON.stringify(refusal)}`);
      assert.ok(refusal.includes(es['kind.COMP_ITEM']), `the alert does not name the remedy: ${JSON.stringify(refusal)}`);
      assert.ok(refusal.includes('artículo anulado'), `the alert does not give the POS's reason: ${JSON.stringify(refusal)}`);
      assert.ok(refusal.includes(prefix('alertText.offerNext')), `the alert does not say what to offer: ${JSON.stringify(refusal)}`);
      assert.ok(!refusal.includes('The POS refused'), `the alert shows the server's English: ${JSON.stringify(refusal)}`);
      await s.shot(manager, 'refusal');
    }, { config });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
