// Screenshots of every page for docs/usage.md, at a desktop and a phone width, against a
// running hub:
//   node tools/screenshots/take.mjs --url http://127.0.0.1:18300 --password … --out docs/screenshots/after
// Add --scheme dark for the dark theme (the browser's preferred colour scheme).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    password: { type: 'string' },
    out: { type: 'string' },
    scheme: { type: 'string', default: 'light' },
    // Seconds to let samples accumulate before the live pages are taken.
    settle: { type: 'string', default: '8' },
    only: { type: 'string' },
  },
});
if (!values.url || !values.password || !values.out) {
  console.error('usage: take.mjs --url URL --password PASSWORD --out DIR [--scheme light|dark]');
  process.exit(2);
}

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const PAGES = [
  { name: 'fleet', path: '/' },
  { name: 'dashboard', path: '/dashboard' },
  { name: 'host-live', path: '/host/local' },
  { name: 'host-history', path: '/host/local/history' },
  { name: 'users', path: '/users' },
  { name: 'roles', path: '/roles' },
  { name: 'audit', path: '/audit' },
  { name: 'account', path: '/account' },
  { name: 'tokens', path: '/tokens' },
  { name: 'agents', path: '/agents' },
  { name: 'processes', path: '/processes' },
  { name: 'alerts', path: '/alerts' },
  { name: 'alert-rules', path: '/alerts/rules' },
  { name: 'alert-channels', path: '/alerts/channels' },
  { name: 'logs', path: '/logs' },
];
// Pages that did not exist in an older build are skipped there (--only=a,b).
const only = values.only ? new Set(values.only.split(',')) : null;

const out = path.resolve(values.out);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({
      baseURL: values.url,
      viewport: { width: viewport.width, height: viewport.height },
      colorScheme: values.scheme === 'dark' ? 'dark' : 'light',
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.waitForSelector('[data-testid=login-username]');
    await page.screenshot({ path: path.join(out, `login-${viewport.name}.png`) });
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', values.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.waitForTimeout(Number(values.settle) * 1000);
    for (const p of PAGES) {
      if (only && !only.has(p.name)) continue;
      await page.goto(p.path);
      await page.waitForTimeout(2500);
      const file = path.join(out, `${p.name}-${viewport.name}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
