// The tablet app as a person uses it, through its DOM contract
// (data-testid attributes; see tests/browser/README.md), and the same state
// read behind its back over the Connect protocol.

import assert from 'node:assert/strict';

import { field, unary } from './connect.js';
import { kSlowWaitMs, kWaitMs } from './harness.js';

export const kTabletToken = 'demo-tablet-floor';
export const kManagerToken = 'demo-manager-lee';

// The sample configuration's people who sign in on tablets.
export const kDana = { id: 's-17', name: 'Dana', pin: '2468', token: 'demo-server-dana' };
export const kMarco = { id: 's-22', name: 'Marco', pin: '1357', token: 'demo-server-marco' };
export const kLee = { id: 'm-2', name: 'Lee', pin: '8642', token: kManagerToken };

export function tid(id) {
  return `[data-testid="${id}"]`;
}

export function remedyRow(status, remedyId) {
  const id = remedyId ? `[data-remedy-id="${remedyId}"]` : '';
  return `[data-testid="remedy-status"]${id}[data-status="${status}"]`;
}

// Clicks the element as a finger would, once it is visible, enabled and
// still (a puppeteer Locator: it tries again when a re-render replaced the
// element between finding and clicking it).
export async function tap(page, testId, { timeout = kWaitMs } = {}) {
  await page.locator(tid(testId)).setTimeout(timeout).click();
}

export async function isVisible(page, selector) {
  const el = await page.$(selector);
  if (!el) return false;
  return el.isVisible();
}

export async function textOf(page, selector, options) {
  const el = await page.waitForSelector(selector, { visible: true, ...options });
  return (await el.evaluate((node) => node.textContent)).trim();
}

const kStaffButtons = '[data-testid^="staff-"]';

// Pairs a fresh tablet: opens the app, types the TABLET device token into the
// pairing form, and waits for the sign-in screen's staff buttons.
export async function pairTablet(page, baseUrl, { token = kTabletToken } = {}) {
  await page.goto(`${baseUrl}/`, { waitUntil: 'domcontentloaded' });
  const input = await page.waitForSelector(tid('pair-token'), { visible: true });
  await input.type(token);
  await tap(page, 'pair-submit');
  await page.waitForSelector(kStaffButtons, { visible: true });
}

// On the sign-in screen: picks the staff member (if the PIN pad is not up
// already), clears the pad, types the PIN on it and presses submit.
export async function enterPin(page, staffId, pin) {
  if (!(await isVisible(page, tid('pin-submit')))) await tap(page, `staff-${staffId}`);
  await page.waitForSelector(tid('pin-submit'), { visible: true });
  if (await isVisible(page, tid('pin-clear'))) await tap(page, 'pin-clear');
  for (const digit of pin) await tap(page, `pin-key-${digit}`);
  await tap(page, 'pin-submit');
}

// Signs a person in and waits for the header to name them.
export async function signIn(page, person) {
  await enterPin(page, person.id, person.pin);
  await page.waitForSelector(tid('whoami'), { visible: true });
  await page.waitForFunction(
    (sel, name) => document.querySelector(sel)?.textContent.includes(name),
    {},
    tid('whoami'),
    person.name,
  );
}

// From anywhere in a signed-in app: the checks list, then the check.
export async function openCheck(page, checkId) {
  await tap(page, 'nav-checks');
  await page.waitForSelector(tid('checks-list'));
  await tap(page, `check-${checkId}`);
  await page.waitForSelector('[data-testid^="item-"]', { visible: true });
}

// Presses an item's flag button and waits for the category buttons.
export async function openCategories(page, lineId, categoryId) {
  await page.waitForSelector(tid(`item-${lineId}`), { visible: true });
  await tap(page, `flag-${lineId}`);
  return page.waitForSelector(tid(`category-${categoryId}`), { visible: true });
}

// Waits for the case screen and returns its id (RC-...).
export async function waitForCase(page, options) {
  const handle = await page.waitForFunction(
    (sel) => {
      const text = document.querySelector(sel)?.textContent.trim() ?? '';
      return /^RC-\S+$/.test(text) ? text : false;
    },
    { timeout: kSlowWaitMs, ...options },
    tid('case-id'),
  );
  return handle.jsonValue();
}

// Flags a line of the open check with a category; the case's id.
export async function flagLine(page, lineId, categoryId) {
  await openCategories(page, lineId, categoryId);
  await tap(page, `category-${categoryId}`);
  return waitForCase(page);
}

// Counts the page's calls of one RPC ("RecoveryService/FlagProblem") as the
// browser made them: started, answered (by HTTP status) and failed.
export function watchRpc(page, method) {
  const suffix = `/makegood.v1.${method}`;
  const matches = (request) => new URL(request.url()).pathname === suffix;
  const calls = { started: 0, statuses: [], failed: 0 };
  const waiters = new Set();
  const notify = () => waiters.forEach((w) => w());
  page.on('request', (r) => {
    if (matches(r)) calls.started += 1;
  });
  page.on('requestfinished', (r) => {
    if (!matches(r)) return;
    calls.statuses.push(r.response()?.status() ?? 0);
    notify();
  });
  page.on('requestfailed', (r) => {
    if (!matches(r)) return;
    calls.failed += 1;
    notify();
  });
  calls.inFlight = () => calls.started - calls.statuses.length - calls.failed;
  calls.ok = () => calls.statuses.filter((s) => s === 200).length;
  // Resolves once every call started so far has ended.
  calls.settled = (timeoutMs = kSlowWaitMs) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (calls.inFlight() > 0) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${method}: ${calls.inFlight()} call(s) still in flight after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return calls;
}

// --- The server's side of it, over the Connect protocol.

export async function getRecovery(baseUrl, caseId, token = kManagerToken) {
  return unary(baseUrl, 'makegood.v1.RecoveryService/GetRecovery', { caseId }, token);
}

// Every case of a check (the manager may list all of the location's).
export async function casesOfCheck(baseUrl, checkId) {
  const cases = [];
  let pageToken = '';
  do {
    const page = await unary(
      baseUrl,
      'makegood.v1.RecoveryService/ListRecoveries',
      { pageSize: 1000, pageToken },
      kManagerToken,
    );
    cases.push(...(field(page, 'cases') ?? []));
    pageToken = field(page, 'nextPageToken') ?? '';
  } while (pageToken);
  return cases.filter((c) => field(c, 'checkId') === checkId);
}

export async function assertOneCase(baseUrl, checkId) {
  const cases = await casesOfCheck(baseUrl, checkId);
  assert.equal(
    cases.length,
    1,
    `check ${checkId} has ${cases.length} cases: ${cases.map((c) => field(c, 'caseId')).join(', ')}`,
  );
  return cases[0];
}

export async function listCategories(baseUrl, token, language = '') {
  const response = await unary(baseUrl, 'makegood.v1.SessionService/ListCategories', { language }, token);
  return field(response, 'categories') ?? [];
}
