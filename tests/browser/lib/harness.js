// What every browser test shares: one headless Chromium per test file, and a
// scenario per test with its own makegoodd, its own browser contexts (each a
// separate tablet: its own storage and cookies), optional fake adapters, a
// screenshot per test, and the daemon's log and the pages' console when the
// test fails.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startDaemon } from './daemon.js';
import { FakeAdapter } from './fake_adapter.js';

export const outDir = process.env.MAKEGOOD_BROWSER_OUT || path.join(os.tmpdir(), 'makegood-browser-out');

// A tablet's screen.
export const kViewport = { width: 1024, height: 768 };
// Every wait of a page gives up after this; the server's screen learns of
// changes by polling, so its waits get kSlowWaitMs.
export const kWaitMs = 20000;
export const kSlowWaitMs = 40000;

async function loadPuppeteer() {
  try {
    return (await import('puppeteer-core')).default;
  } catch (err) {
    throw new Error(
      `puppeteer-core is not installed (${err.code || err.message}): run \`npm ci --prefix tests/browser\` ` +
        '(packaging/dev-setup.sh does it)',
    );
  }
}

export async function launchBrowser() {
  const puppeteer = await loadPuppeteer();
  const executablePath = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_BIN`);
  }
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

function safeName(name) {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

// The state of one test: see runScenario.
class Scenario {
  constructor(name, browser, daemon) {
    this.name = name;
    this.browser = browser;
    this.daemon = daemon;
    this.baseUrl = daemon.baseUrl;
    this.contexts = [];
    this.pages = []; // { label, page, log }
    this.adapters = [];
  }

  // A new tablet: a fresh browser context (nothing paired, nothing cached)
  // and its page, at a tablet's size. The first one is the test's main
  // screen: its screenshot is <name>.png.
  async tablet(label) {
    const context = await this.browser.createBrowserContext();
    this.contexts.push(context);
    const page = await context.newPage();
    await page.setViewport(kViewport);
    page.setDefaultTimeout(kWaitMs);
    const log = [];
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log.push(`response ${r.status()}: ${r.url()}`);
    });
    this.pages.push({ label, page, log });
    return page;
  }

  adapter(options) {
    const adapter = new FakeAdapter(this.baseUrl, options).start();
    this.adapters.push(adapter);
    return adapter;
  }

  // Saves a screenshot of `page` as <name>-<suffix>.png (or <name>.png).
  async shot(page, suffix) {
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${safeName(suffix ? `${this.name}-${suffix}` : this.name)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async finish(failed) {
    for (const [i, { label, page, log }] of this.pages.entries()) {
      try {
        if (!page.isClosed()) await this.shot(page, i === 0 ? '' : label);
      } catch (err) {
        process.stderr.write(`screenshot of ${label} failed: ${err.message}\n`);
      }
      if (failed) {
        process.stderr.write(`--- ${this.name}: ${label} page at ${page.isClosed() ? '(closed)' : page.url()}\n`);
        process.stderr.write(`${log.join('\n') || '(nothing logged)'}\n`);
      }
    }
    for (const adapter of this.adapters) {
      if (failed && adapter.errors.length) {
        process.stderr.write(`--- fake adapter stream errors: ${adapter.errors.map((e) => e.message).join('; ')}\n`);
      }
      await adapter.stop();
    }
    for (const context of this.contexts) await context.close().catch(() => {});
    if (failed) process.stderr.write(`--- ${this.name}: makegoodd stderr\n${this.daemon.stderr()}\n`);
    await this.daemon.stop({ keep: failed });
  }
}

// Runs `body(scenario)` against a fresh makegoodd; always saves the pages'
// screenshots into MAKEGOOD_BROWSER_OUT and stops everything it started; on
// failure prints the daemon's stderr and what the pages logged. `options`
// go to startDaemon (a `config` path).
export async function runScenario(browser, name, body, options = {}) {
  const daemon = await startDaemon(options);
  const scenario = new Scenario(name, browser, daemon);
  let failed = true;
  try {
    await body(scenario);
    failed = false;
  } finally {
    await scenario.finish(failed);
  }
}
