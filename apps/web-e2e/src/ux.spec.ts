import type { Locator, Page } from '@playwright/test';
import { appendFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

// Every page of the main nav an administrator has, and something each one shows.
const PAGES = [
  { nav: 'nav-dashboard', url: /\/$/, shows: 'fleet-card' },
  { nav: 'nav-host', url: /\/host\/local$/, shows: 'hostname' },
  { nav: 'nav-agents', url: /\/agents$/, shows: 'agents-table' },
  { nav: 'nav-processes', url: /\/processes$/, shows: 'process-table' },
  { nav: 'nav-alerts', url: /\/alerts$/, shows: 'alert-table' },
  { nav: 'nav-users', url: /\/users$/, shows: 'users-table' },
  { nav: 'nav-roles', url: /\/roles$/, shows: 'roles-table' },
  { nav: 'nav-tokens', url: /\/tokens$/, shows: 'admin-token-table' },
  { nav: 'nav-audit', url: /\/audit$/, shows: 'audit-table' },
  { nav: 'nav-account', url: /\/account$/, shows: 'account-username' },
] as const;

// Wider than the viewport means a sideways scroll: content cut off on a phone. The page scrolls
// inside the sidenav content, so that is measured too (a table scrolling in its own card is fine).
async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const wider = (el: Element | null) => !!el && el.scrollWidth > el.clientWidth + 1;
    return (
      document.documentElement.scrollWidth > window.innerWidth + 1 ||
      wider(document.querySelector('mat-sidenav-content')) ||
      wider(document.querySelector('main'))
    );
  });
}

// Relative luminance of the page background, 0 (black) to 1 (white).
async function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const rgb = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g) ?? [];
    const [r, g, b] = rgb.slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}

test.describe('on a phone', () => {
  for (const width of [390, 360]) {
    test(`the menu reaches every page at ${width} px, none wider than the screen`, async ({
      page,
    }) => {
      await page.setViewportSize({ width, height: 844 });
      await signIn(page, 'admin', ADMIN_PASSWORD);
      // The links are in the drawer, not spilling out of the toolbar.
      await expect(page.getByTestId('nav-users')).toBeHidden();
      for (const target of PAGES) {
        await page.getByTestId('nav-menu').click();
        const link = page.getByTestId('nav-drawer').getByTestId(target.nav);
        await expect(link).toBeVisible();
        await link.click();
        await expect(page).toHaveURL(target.url);
        await expect(page.getByTestId(target.shows).first()).toBeVisible();
        // The drawer closes once a page is picked.
        await expect(page.getByTestId('nav-drawer').getByTestId(target.nav)).toBeHidden();
        expect(await overflowsSideways(page), `${target.nav} at ${width} px`).toBe(false);
      }
      // Signing out stays within reach.
      await expect(page.getByTestId('logout')).toBeInViewport();
    });
  }
});

test.describe('keyboard', () => {
  test('Ctrl-K opens the command palette, which jumps to a page or a host', async ({ page }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.keyboard.press('Control+k');
    const input = page.getByTestId('command-palette-input');
    await expect(input).toBeFocused();
    await input.fill('audit');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByTestId('command-palette')).toBeHidden();

    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette-input').fill('local hist');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/host\/local\/history$/);
  });
});

test.describe('dark mode', () => {
  test('follows the system preference, and the toggle wins and is remembered', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await signIn(page, 'admin', ADMIN_PASSWORD);
    expect(await backgroundLuminance(page)).toBeLessThan(0.1);

    await page.emulateMedia({ colorScheme: 'light' });
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.8);

    // system → light → dark.
    await page.getByTestId('theme-toggle').click();
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-label', 'Theme: light');
    await page.getByTestId('theme-toggle').click();
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-label', 'Theme: dark');
    expect(await backgroundLuminance(page)).toBeLessThan(0.1);

    await page.reload();
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-label', 'Theme: dark');
    expect(await backgroundLuminance(page)).toBeLessThan(0.1);
    await page.getByTestId('theme-toggle').click();
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-label', 'Theme: system');
  });
});

test.describe('honest numbers', () => {
  test('the TCP connection count is the sum of its states', async ({ page }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/host/local');
    const network = page.getByTestId('section-network');
    await expect(network).toContainText('TCP connections');
    // Read both from one rendering of one sample.
    const { count, states } = await network.evaluate((el) => {
      const text = el.textContent ?? '';
      const items = Array.from(el.querySelectorAll('[data-testid="tcp-states"] li strong'));
      return {
        count: Number(/(\d+) TCP connections/.exec(text)?.[1]),
        states: items.map((s) => Number(s.textContent)),
      };
    });
    expect(Number.isInteger(count)).toBe(true);
    expect(states.reduce((a, b) => a + b, 0)).toBe(count);
  });

  test('a 7 d range on a new hub shows the samples that exist', async ({ page }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/host/local/history');
    await page.getByTestId('range-7d').click();
    await expect(async () => {
      await page.getByTestId('history-refresh').click();
      const text = (await page.getByTestId('history-range').textContent()) ?? '';
      expect(Number(/(\d+) points/.exec(text)?.[1])).toBeGreaterThan(2);
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId('history-empty')).toBeHidden();
    await expect(page.getByTestId('history-chart-cpu').locator('path.line')).toHaveCount(1);
  });

  test('a stopped hub greys the numbers and says how old they are until data flows', async ({
    page,
    hub,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/dashboard');
    await expect(page.getByTestId('hostname')).toBeVisible();
    await expect(page.getByTestId('stream-status')).toBeHidden();

    await hub.stop();
    try {
      const banner = page.getByTestId('stream-status');
      await expect(banner).toBeVisible();
      // It stays: checked every second for 15 s, it must never vanish while nothing arrives.
      for (let i = 0; i < 15; i++) {
        await expect(banner).toBeVisible({ timeout: 500 });
        await page.waitForTimeout(1_000);
      }
      await expect(banner).toContainText(/Last sample \d+ s ago/);
      await expect(page.getByTestId('dashboard-grid')).toHaveClass(/dimmed/);
      await expect(page.getByTestId('last-sample')).toContainText(/\d+ s ago/);
    } finally {
      await hub.start();
    }
    await expect(page.getByTestId('stream-status')).toBeHidden({ timeout: 30_000 });
    await expect(page.getByTestId('dashboard-grid')).not.toHaveClass(/dimmed/);
  });
});

// A cell that cuts its text: one line, "…" at the cut, and the whole text in its title.
async function truncation(cell: Locator): Promise<{
  overflow: string;
  cut: boolean;
  title: string | null;
  text: string;
}> {
  return cell.evaluate((el) => ({
    overflow: getComputedStyle(el).textOverflow,
    cut: el.scrollWidth > el.clientWidth,
    title: el.getAttribute('title'),
    text: (el.textContent ?? '').trim(),
  }));
}

test.describe('cut-off table text', () => {
  test('ends with an ellipsis and keeps the whole text at hand', async ({ page, hub }) => {
    const long = `ellipsis-check ${'a long log message that goes on '.repeat(12)}end`;
    appendFileSync(hub.logFile, `${long}\n`);
    await signIn(page, 'admin', ADMIN_PASSWORD);

    await page.goto('/logs');
    await page.getByTestId('logs-search').fill('ellipsis-check');
    await page.getByTestId('logs-apply').click();
    const message = page.getByTestId('logs-message');
    await expect(message).toHaveCount(1, { timeout: 20_000 });
    expect(await truncation(message)).toEqual({
      overflow: 'ellipsis',
      cut: true,
      title: long,
      text: long,
    });
    // The opened row shows all of it.
    await page.getByTestId('logs-row').click();
    await expect(page.getByTestId('logs-full-message')).toHaveText(long);

    await page.goto('/processes');
    const command = page.locator('[data-testid=process-row] td.cmd').first();
    await expect(command).toBeVisible();
    const cmd = await truncation(command);
    expect(cmd.overflow).toBe('ellipsis');
    expect(cmd.title).toBe(cmd.text);

    await page.goto('/audit');
    const details = page.locator('[data-testid=audit-table] td.details').first();
    await expect(details).toBeVisible();
    const audit = await truncation(details);
    expect(audit.overflow).toBe('ellipsis');
    expect(audit.title).toBe(audit.text);
  });
});

test.describe('custom history range', () => {
  test('is picked on the app’s calendar and clock, in the user’s 24 h / 12 h choice', async ({
    page,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    // 24 h and UTC, as the account page stores them in this browser.
    await page.evaluate(() =>
      localStorage.setItem('tyto-time', JSON.stringify({ hourCycle: '24', timeZone: 'UTC' })),
    );

    await page.goto('/host/local/history');
    await page.getByTestId('range-custom').click();
    const picker = page.getByTestId('custom-range');
    await expect(picker).toBeVisible();
    await expect(picker.locator('input[type=date], input[type=datetime-local]')).toHaveCount(0);
    await expect(page.getByTestId('custom-zone')).toContainText('24-hour clock, UTC');
    await expect(page.getByTestId('custom-from')).toHaveValue(/^\d{2}:\d{2}$/);

    // Today, first and last day, from midnight to the end of the day, then shown.
    const today = picker.locator('.mat-calendar-body-today');
    await today.click();
    await today.click();
    await page.getByTestId('custom-from').fill('00:00');
    await page.getByTestId('custom-to').fill('23:59');
    await expect(page.getByTestId('custom-summary')).toHaveText(
      /^\w{3} \d{1,2}, \d{4}, 00:00 – \w{3} \d{1,2}, \d{4}, 23:59$/,
    );
    await page.getByTestId('custom-apply').click();
    await expect(picker).toBeHidden();
    await expect(page.getByTestId('history-range')).toContainText(', 00:00 –');
    await expect(page.getByTestId('history-range')).toContainText(/\d+ points/);
    await expect(page.getByTestId('history-chart-cpu').locator('path.line')).toHaveCount(1);

    // On a 12-hour clock the same field reads and writes AM/PM.
    await page.evaluate(() =>
      localStorage.setItem('tyto-time', JSON.stringify({ hourCycle: '12', timeZone: 'UTC' })),
    );
    await page.goto('/host/local/history');
    await page.getByTestId('range-custom').click();
    await expect(page.getByTestId('custom-from')).toHaveValue(/^\d{2}:\d{2} (AM|PM)$/);
    await page.getByTestId('custom-from').fill('25:00');
    await expect(page.getByTestId('custom-error')).toHaveText('Enter the times like 09:30 AM.');
  });
});
