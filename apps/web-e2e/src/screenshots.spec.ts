import path from 'node:path';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

// The screenshots in docs/usage.md, taken from the real app: TYTO_SCREENSHOTS=1 npx playwright
// test -c apps/web-e2e/playwright.config.ts screenshots.spec.ts
const DOCS = path.resolve(__dirname, '../../../docs/images');

test.describe('documentation screenshots', () => {
  test.skip(!process.env['TYTO_SCREENSHOTS'], 'only when TYTO_SCREENSHOTS is set');

  test('processes, alerts, rules and channels', async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await signIn(page, 'admin', ADMIN_PASSWORD);

    await page.getByTestId('nav-processes').click();
    await page.getByTestId('process-search').fill('node');
    await page.getByTestId('process-row').first().click();
    await expect(page.getByTestId('process-drawer')).toBeVisible();
    await page.screenshot({ path: path.join(DOCS, 'processes.png') });

    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('nav-alert-rules').click();
    const memory = page.locator('[data-rule="memory"]');
    await memory.getByTestId('rule-warning').fill('1');
    await memory.getByTestId('rule-save').click();
    await page.screenshot({ path: path.join(DOCS, 'alert-rules.png') });

    await page.getByTestId('alert-bell').click();
    await expect(page.locator('[data-testid="alert-row"][data-type="memory"]')).toBeVisible({
      timeout: 20_000,
    });
    await page.getByTestId('silence-reason').fill('kernel upgrade');
    await page.screenshot({ path: path.join(DOCS, 'alerts.png') });

    await page.getByTestId('nav-alert-channels').click();
    await page.getByTestId('channel-form').locator('input').first().fill('ops webhook');
    await page.screenshot({ path: path.join(DOCS, 'alert-channels.png') });

    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('nav-alert-rules').click();
    await memory.getByTestId('rule-warning').fill('85');
    await memory.getByTestId('rule-save').click();
    await expect(memory.getByTestId('rule-warning')).toHaveValue('85');
  });
});
