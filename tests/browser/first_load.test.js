// The tablet's first load, with nothing cached: the bytes it transfers (the
// budget is 100 kB, on the wire, headers included) and the time until the
// sign-in screen's staff buttons can be tapped. The bytes decide; the time
// is printed only, as timing never decides whether a test passes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, runScenario } from './lib/harness.js';
import { kTabletToken } from './lib/tablet.js';

const kBudgetBytes = 100000;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the first load transfers under 100 kB and shows the staff buttons', { timeout: 120000 }, async () => {
  await runScenario(browser, 'first_load', async (s) => {
    const page = await s.tablet('tablet');

    // Every request of the page, with what it cost on the wire.
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map(); // requestId -> url
    const wire = new Map(); // requestId -> encodedDataLength
    const failed = new Set();
    const waiters = new Set();
    const notify = () => waiters.forEach((w) => w());
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      wire.set(e.requestId, e.encodedDataLength);
      notify();
    });
    cdp.on('Network.loadingFailed', (e) => {
      failed.add(e.requestId);
      notify();
    });
    const responses = [];
    page.on('response', (r) => responses.push(`${r.status()} ${r.url()}`));
    const inFlight = () => [...urls.keys()].filter((id) => !wire.has(id) && !failed.has(id));

    // The pairing link a manager opens once on a new tablet (a QR code):
    // the app pairs itself and shows the sign-in screen.
    await page.goto(`${s.baseUrl}/#pair=${kTabletToken}`, { waitUntil: 'domcontentloaded' });
    // performance.now() counts from the navigation's start.
    const interactiveMs = await (
      await page.waitForFunction(
        () => {
          const button = document.querySelector('[data-testid^="staff-"]');
          if (!button || !button.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
          const box = button.getBoundingClientRect();
          return box.width > 0 && box.height > 0 ? performance.now() : false;
        },
        { polling: 'raf' },
      )
    ).jsonValue();

    // Everything the page asked for until then has arrived.
    await new Promise((resolve, reject) => {
      const check = () => {
        if (inFlight().length) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`requests still loading: ${inFlight().map((id) => urls.get(id)).join(', ')}`));
      }, 20000);
      waiters.add(check);
      check();
    });

    let bytes = 0;
    const rows = [];
    for (const [id, length] of wire) {
      bytes += length;
      rows.push(`  ${String(Math.round(length)).padStart(7)} B  ${urls.get(id)}`);
    }
    bytes = Math.round(bytes);
    process.stdout.write(
      `first load: ${bytes} bytes (target < ${kBudgetBytes}), interactive in ${Math.round(interactiveMs)} ms\n` +
        `  ${wire.size} requests, ${failed.size} failed:\n${rows.join('\n')}\n`,
    );
    assert.ok(wire.size > 0, `no request was seen; responses: ${responses.join(', ')}`);
    assert.ok(bytes < kBudgetBytes, `first load transferred ${bytes} bytes, over the ${kBudgetBytes} budget`);
  });
});
