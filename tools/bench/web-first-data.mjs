#!/usr/bin/env node
// Time from the click on "Sign in" to the first metric value on screen, in Chromium, on the
// fleet overview (/) and on the dashboard (/dashboard), against a real hub on a temp data dir:
//   node tools/bench/web-first-data.mjs [--runs 7] [--port 9150] [--interval 2] [--settle 8]
// Needs `nx run-many -t build -p api web` first. Each run is a fresh browser context (empty
// cache: the login page's own load is not timed, nor what it fetches while a person would be
// typing; the lazy chunks fetched after the click are). The time is taken
// in the page (performance.now() at the click, and when a MutationObserver first sees the value),
// so Playwright's polling does not add to it. Prints each run, the median, and the requests of
// the median run relative to the click, which shows where the time went.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    port: { type: 'string', default: '9150' },
    interval: { type: 'string', default: '2' },
    // Seconds of samples before the first run, so the charts have a stored hour to draw.
    settle: { type: 'string', default: '8' },
    hub: { type: 'string', default: 'dist/apps/api/main.js' },
  },
});
const RUNS = Number(values.runs);
const PORT = Number(values.port);
const PASSWORD = 'bench-admin-password-51';
const URL = `http://127.0.0.1:${PORT}`;

// What counts as "first data" on each page: a figure from a sample, drawn as text.
const TARGETS = [
  { name: 'fleet overview', path: '/', selector: '[data-testid="fleet-card-cpu"]' },
  { name: 'dashboard', path: '/dashboard', selector: '[data-testid="cpu-total"]' },
];

const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-web-bench-'));
const hub = spawn(process.execPath, [values.hub], {
  env: {
    ...process.env,
    TYTO_HOST: '127.0.0.1',
    TYTO_PORT: String(PORT),
    TYTO_AGENT_PORT: String(PORT + 1),
    TYTO_DATA_DIR: dataDir,
    TYTO_ADMIN_PASSWORD: PASSWORD,
    TYTO_SAMPLE_INTERVAL: values.interval,
    TYTO_LOG_LEVEL: 'warn',
    TYTO_LOG_JOURNAL: 'off',
    TYTO_LOG_DOCKER: 'off',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function waitForHub() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${URL}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the hub did not start');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function oneRun(browser, target) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // When the first live event (of any stream) reaches the page: splits "waiting for data" from
  // "drawing it".
  await page.addInitScript(() => {
    const add = EventSource.prototype.addEventListener;
    EventSource.prototype.addEventListener = function (type, listener, options) {
      const wrapped = function (event) {
        if (type !== 'open' && type !== 'error' && window.__firstEvent === undefined)
          window.__firstEvent = performance.now();
        return typeof listener === 'function'
          ? listener.call(this, event)
          : listener.handleEvent(event);
      };
      if (type === 'open' && window.__firstOpen === undefined)
        add.call(this, 'open', () => (window.__firstOpen ??= performance.now()));
      return add.call(this, type, wrapped, options);
    };
  });
  // Signed out, the guard sends the page to /login?returnUrl=…, where the form brings it back.
  await page.goto(`${URL}${target.path}`);
  await page.waitForSelector('[data-testid=login-username]');
  // A person takes a few seconds to type: whatever the login page fetches meanwhile is done.
  await page.waitForLoadState('networkidle');
  await page.fill('[data-testid=login-username]', 'admin');
  await page.fill('[data-testid=login-password]', PASSWORD);
  await page.evaluate((selector) => {
    const w = window;
    w.__first = null;
    w.__click = null;
    document.addEventListener(
      'click',
      (e) => {
        if (e.target instanceof Element && e.target.closest('[data-testid=login-submit]'))
          w.__click = performance.now();
      },
      true,
    );
    const seen = () => {
      const el = document.querySelector(selector);
      if (w.__first === null && el && /\d/.test(el.textContent ?? '')) {
        w.__first = performance.now();
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(seen);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, target.selector);
  await page.click('[data-testid=login-submit]');
  await page.waitForFunction(() => window.__first !== null, null, { timeout: 30_000 });
  const result = await page.evaluate(() => {
    const click = window.__click;
    const requests = performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime >= click - 1)
      .map((e) => ({
        url: e.name.replace(location.origin, ''),
        start: Math.round(e.startTime - click),
        end: Math.round(e.responseEnd - click),
        kB: Math.round((e.transferSize ?? 0) / 102.4) / 10,
      }));
    const rel = (t) => (t === undefined ? null : Math.round(t - click));
    return {
      ms: Math.round(window.__first - click),
      streamOpen: rel(window.__firstOpen),
      firstEvent: rel(window.__firstEvent),
      requests,
    };
  });
  await context.close();
  return result;
}

try {
  await waitForHub();
  await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    for (const target of TARGETS) {
      // One unmeasured run: the hub's first login and Chromium's first start are not typical.
      await oneRun(browser, target);
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, target));
      const times = runs.map((r) => r.ms);
      const mid = median(times);
      console.log(
        `${target.name} (${target.path}): ${times.join(', ')} ms; median ${mid} ms, ` +
          `min ${Math.min(...times)}, max ${Math.max(...times)}`,
      );
      const typical = runs.reduce((a, b) => (Math.abs(b.ms - mid) < Math.abs(a.ms - mid) ? b : a));
      console.log(
        `  run closest to the median (${typical.ms} ms): stream open at ${typical.streamOpen} ms, ` +
          `first live event at ${typical.firstEvent} ms; requests after the click:`,
      );
      for (const r of typical.requests)
        console.log(
          `    ${String(r.start).padStart(5)} → ${String(r.end).padStart(5)} ms  ${r.kB} kB  ${r.url}`,
        );
    }
  } finally {
    await browser.close();
  }
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
