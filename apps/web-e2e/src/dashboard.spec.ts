import type { Page } from '@playwright/test';
import { hostname } from 'node:os';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { submitLogin } from './session';

async function cpuPoints(page: Page): Promise<number> {
  return Number(await page.getByTestId('cpu-point-count').textContent());
}

test.describe('dashboard', () => {
  test('an admin signs in, watches the host live and signs out', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?returnUrl=%2F$/);

    await submitLogin(page, 'admin', ADMIN_PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('current-user')).toHaveText('admin');
    // The start page is the fleet overview; the single-host dashboard of `local` is here.
    await expect(page.locator('[data-testid=fleet-card][data-agent-id=local]')).toBeVisible();
    await page.goto('/dashboard');
    await expect(page.getByTestId('hostname')).toHaveText(hostname());
    await expect(page.getByTestId('uptime')).not.toBeEmpty();

    // The hub samples every second here; the chart must gain points as samples arrive.
    await expect.poll(() => cpuPoints(page)).toBeGreaterThan(0);
    const before = await cpuPoints(page);
    await page.waitForTimeout(3_000);
    expect(await cpuPoints(page)).toBeGreaterThan(before);
    await expect(page.getByTestId('cpu-chart').locator('path.line')).toHaveCount(1);
    await expect(page.getByTestId('cpu-cores').getByRole('progressbar')).not.toHaveCount(0);
    await expect(page.getByTestId('memory').getByRole('progressbar').first()).toBeVisible();

    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?returnUrl=%2F$/);
    await expect(page.getByTestId('login-form')).toBeVisible();
  });

  test('a wrong password is refused on the login page', async ({ page }) => {
    await page.goto('/login');
    await submitLogin(page, 'admin', 'not-the-password');

    await expect(page.getByTestId('login-error')).toHaveText('Invalid username or password.');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('the live view comes back after the hub restarts', async ({ page, hub }) => {
    await page.goto('/login');
    await submitLogin(page, 'admin', ADMIN_PASSWORD);
    await expect(page.getByTestId('current-user')).toHaveText('admin');
    await page.goto('/dashboard');
    await expect.poll(() => cpuPoints(page)).toBeGreaterThan(0);

    await hub.stop();
    await expect(page.getByTestId('stream-status')).toBeVisible();
    await hub.start();

    const afterRestart = await cpuPoints(page);
    await expect(page.getByTestId('stream-status')).toBeHidden({ timeout: 30_000 });
    await expect.poll(() => cpuPoints(page), { timeout: 30_000 }).toBeGreaterThan(afterRestart);
  });
});
