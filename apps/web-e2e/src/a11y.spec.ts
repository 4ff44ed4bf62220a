import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import type { AlertListResponse } from '@tyto/contracts';
import { appendFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { adminToken, setRule, signIn } from './session';

// Every page, in both themes, through axe-core's WCAG 2.x A/AA rules (contrast included): a
// `serious` or `critical` violation fails the test. No rule is switched off.
const PAGES = [
  { path: '/', shows: 'fleet-card' },
  { path: '/dashboard', shows: 'hostname' },
  { path: '/host/local', shows: 'hostname' },
  { path: '/host/local/history', shows: 'history-range' },
  { path: '/agents', shows: 'agents-table' },
  { path: '/processes', shows: 'process-row' },
  { path: '/alerts', shows: 'alert-table' },
  { path: '/alerts/rules', shows: 'rule-row' },
  { path: '/alerts/channels', shows: 'channel-form' },
  { path: '/logs', shows: 'logs-row' },
  { path: '/users', shows: 'users-table' },
  { path: '/roles', shows: 'roles-table' },
  { path: '/audit', shows: 'audit-table' },
  { path: '/tokens', shows: 'admin-token-table' },
  { path: '/account', shows: 'account-username' },
] as const;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// The serious and critical violations on the page as it is now, one readable line each.
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`,
      ),
    );
}

// The levels of the hub's active alerts on its own host.
async function activeLevels(request: APIRequestContext, token: string): Promise<string[]> {
  const res = await request.get('/api/v1/alerts?state=active&agent_id=local&limit=500', {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as AlertListResponse).alerts.map((a) => a.level);
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility, ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    test('the login page has no serious violations', async ({ page }) => {
      await page.goto('/login');
      await expect(page.getByTestId('login-username')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('no page has a serious violation', async ({ page, hub, request }) => {
      test.setTimeout(180_000);
      // A log line of its own, so the logs page is checked with rows in it.
      appendFileSync(hub.logFile, `a11y check line ${scheme} ${'x'.repeat(300)}\n`);
      // An alert of each level, so the alerts page is checked with their colours in it (memory
      // over 1 % is a warning, the root mount over 2 % critical); the defaults come back after.
      const token = await adminToken(request);
      await setRule(request, token, 'memory', 1, 99);
      await setRule(request, token, 'disk', 1, 2);
      const found: string[] = [];
      try {
        await expect(async () => {
          expect(await activeLevels(request, token)).toEqual(
            expect.arrayContaining(['warning', 'critical']),
          );
        }).toPass({ timeout: 30_000 });
        await signIn(page, 'admin', ADMIN_PASSWORD);
        for (const target of PAGES) {
          await page.goto(target.path);
          await expect(page.getByTestId(target.shows).first()).toBeVisible({ timeout: 20_000 });
          // Charts and the rest of the tables draw just after the first data (the SSE stream
          // never lets the network go idle, so there is no load state to wait for).
          await page.waitForTimeout(750);
          for (const line of await seriousViolations(page)) found.push(`${target.path}: ${line}`);
        }
      } finally {
        await setRule(request, token, 'memory', 85, 95);
        await setRule(request, token, 'disk', 80, 90);
      }
      expect(found).toEqual([]);
    });
  });
}
