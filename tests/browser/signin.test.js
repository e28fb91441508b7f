// Signing in on a paired tablet: the PIN lock, what a SERVER's session may
// not open, and the signed-in person's language.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { field } from './lib/connect.js';
import { publishLiveCheck } from './lib/events.js';
import { launchBrowser, runScenario } from './lib/harness.js';
import {
  enterPin,
  isVisible,
  kDana,
  kMarco,
  listCategories,
  openCategories,
  openCheck,
  pairTablet,
  signIn,
  textOf,
  tid,
} from './lib/tablet.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// Types a PIN and submits it; the Connect code of the SignIn answer ("ok"
// when it signed in).
async function submitPin(page, staffId, pin) {
  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/makegood.v1.SessionService/SignIn' && r.request().method() === 'POST',
  );
  await enterPin(page, staffId, pin);
  const response = await answer;
  if (response.status() === 200) return 'ok';
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return body.code ?? `http_${response.status()}`;
}

const kReasonOfCode = { unauthenticated: 'WRONG_PIN', resource_exhausted: 'PIN_LOCKED' };

test('five wrong PINs lock the staff member out, even for the right PIN', { timeout: 90000 }, async () => {
  await runScenario(browser, 'pin_lock', async (s) => {
    const page = await s.tablet('tablet');
    await pairTablet(page, s.baseUrl);

    let lockedAt = 0;
    for (let attempt = 1; attempt <= 6 && !lockedAt; attempt += 1) {
      const code = await submitPin(page, kDana.id, '0000');
      if (attempt <= 4) assert.equal(code, 'unauthenticated', `wrong PIN #${attempt}`);
      const reason = kReasonOfCode[code];
      assert.ok(reason, `wrong PIN #${attempt} answered ${code}`);
      await page.waitForSelector(`${tid('signin-error')}[data-reason="${reason}"]`, { visible: true });
      if (reason === 'PIN_LOCKED') lockedAt = attempt;
    }
    assert.ok(lockedAt === 5 || lockedAt === 6, 'six wrong PINs did not lock');

    // The right PIN, while locked.
    const code = await submitPin(page, kDana.id, kDana.pin);
    assert.equal(code, 'resource_exhausted');
    await page.waitForSelector(`${tid('signin-error')}[data-reason="PIN_LOCKED"]`, { visible: true });
    const message = await textOf(page, tid('signin-error'));
    assert.ok(message.length > 0, 'the lock has no message');
    assert.equal(await isVisible(page, tid('whoami')), false, 'signed in while locked');
  });
});

test("a server's session cannot open the manager screen", { timeout: 90000 }, async () => {
  await runScenario(browser, 'server_not_manager', async (s) => {
    const page = await s.tablet('tablet');
    await pairTablet(page, s.baseUrl);
    await signIn(page, kDana);
    assert.equal(await isVisible(page, tid('nav-manager')), false, 'a SERVER sees nav-manager');

    await page.evaluate(() => {
      window.location.hash = '#/manager';
    });
    const banner = `${tid('error-banner')}[data-code="permission_denied"]`;
    await page.waitForSelector(banner, { visible: true });
    const message = await textOf(page, banner);
    assert.ok(message.length >= 10, `the refusal says only ${JSON.stringify(message)}`);
    assert.doesNotMatch(message, /undefined|\[object|null|NaN/, `the refusal says ${JSON.stringify(message)}`);
    const approveButtons = await page.$$('[data-testid^="approve-"]');
    assert.equal(approveButtons.length, 0, 'approve buttons on a SERVER session');
  });
});

test('a Spanish speaker sees the categories in Spanish', { timeout: 90000 }, async () => {
  await runScenario(browser, 'spanish_categories', async (s) => {
    const checkId = '3203';
    await publishLiveCheck(s.baseUrl, { checkId, serverId: kMarco.id });

    // The configuration's texts, as the server gives them.
    const english = await listCategories(s.baseUrl, kMarco.token, '');
    const spanish = await listCategories(s.baseUrl, kMarco.token, 'es');
    const englishLabel = new Map(english.map((c) => [field(c, 'categoryId'), field(c, 'label')]));
    const translated = spanish.filter((c) => field(c, 'label') !== englishLabel.get(field(c, 'categoryId')));
    assert.ok(translated.length > 0, 'the sample configuration has no category translated to es');

    const page = await s.tablet('marco');
    await pairTablet(page, s.baseUrl);
    await signIn(page, kMarco);
    await openCheck(page, checkId);
    const marcoFlag = await textOf(page, tid('flag-1'));
    await openCategories(page, '1', field(translated[0], 'categoryId'));
    for (const category of translated) {
      const id = field(category, 'categoryId');
      const shown = await textOf(page, tid(`category-${id}`));
      assert.ok(
        shown.includes(field(category, 'label')),
        `category-${id} shows ${JSON.stringify(shown)}, not the Spanish ${JSON.stringify(field(category, 'label'))}`,
      );
      assert.ok(!shown.includes(englishLabel.get(id)), `category-${id} shows the English ${JSON.stringify(shown)}`);
    }

    // The app's own words too: Dana (English) sees the same button otherwise.
    const dana = await s.tablet('dana');
    await pairTablet(dana, s.baseUrl);
    await signIn(dana, kDana);
    await openCheck(dana, checkId);
    const danaFlag = await textOf(dana, tid('flag-1'));
    assert.notEqual(marcoFlag, danaFlag, `the flag button reads ${JSON.stringify(marcoFlag)} in Spanish and in English`);
  });
});
