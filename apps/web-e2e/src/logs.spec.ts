import type { LogListResponse, LoginResponse } from '@tyto/contracts';
import { appendFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

test.describe('log explorer', () => {
  test('shows a hostile line as inert text, stored and returned intact', async ({
    page,
    hub,
    request,
  }) => {
    // Markup that would run if the page ever parsed a message as HTML.
    const marker = `e2e-${Date.now()}`;
    const hostile = `\u001b[31m${marker} <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> <b>bold</b>\u001b[0m`;
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    // Appended as bytes: the ANSI escapes, the markup and an invalid UTF-8 byte (0xff).
    appendFileSync(hub.logFile, Buffer.concat([Buffer.from(hostile), Buffer.from([0xff, 0x0a])]));

    const login = await request.post('/api/v1/auth/login', {
      data: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const { token } = (await login.json()) as LoginResponse;
    // The hub follows the file (0.25 s) and stores it (0.5 s): poll the API until it is there.
    let stored: LogListResponse['entries'] = [];
    await expect
      .poll(
        async () => {
          const res = await request.get(`/api/v1/logs?q=${marker}`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          stored = ((await res.json()) as LogListResponse).entries;
          return stored.length;
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(stored[0].message).toBe(`${hostile}\\xff`);

    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-logs').click();
    await page.getByTestId('logs-search').fill(marker);
    await page.getByTestId('logs-apply').click();
    const message = page.getByTestId('logs-message');
    await expect(message).toHaveCount(1);
    // Shown as text: the markup is visible, escape codes are gone, nothing was parsed or ran.
    await expect(message).toHaveText(
      `${marker} <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> <b>bold</b>\\xff`,
    );
    expect(await message.locator('script, img, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
      undefined,
    );
    expect(dialogs).toBe(0);
  });

  test('tails a line written to a followed file while Live is on', async ({ page, hub }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/logs');
    await page.getByTestId('logs-live').click();
    const marker = `live-${Date.now()}`;
    // The tail opens a moment after the toggle; write once it is listening.
    await page.waitForTimeout(500);
    appendFileSync(hub.logFile, `ERROR ${marker} happened\n`);
    const row = page.getByTestId('logs-row').filter({ hasText: marker });
    await expect(row).toHaveCount(1, { timeout: 5_000 });
    await expect(row.getByTestId('logs-level')).toHaveText('error');
  });

  test('picks its time range on the app’s picker, no native date inputs, at 390 px', async ({
    page,
    hub,
    request,
  }) => {
    const marker = `range-${Date.now()}`;
    appendFileSync(hub.logFile, `ERROR ${marker} in range\n`);
    const login = await request.post('/api/v1/auth/login', {
      data: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const { token } = (await login.json()) as LoginResponse;
    await expect
      .poll(
        async () => {
          const res = await request.get(`/api/v1/logs?q=${marker}`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as LogListResponse).entries.length;
        },
        { timeout: 10_000 },
      )
      .toBe(1);

    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.evaluate(() =>
      localStorage.setItem('tyto-time', JSON.stringify({ hourCycle: '24', timeZone: 'UTC' })),
    );
    await page.goto('/logs');
    await expect(page.getByTestId('logs-range')).toHaveText('Any time');
    await expect(page.locator('input[type=datetime-local], input[type=date]')).toHaveCount(0);

    await page.getByTestId('logs-search').fill(marker);
    await page.getByTestId('logs-range-button').click();
    const picker = page.getByTestId('custom-range');
    await expect(picker).toBeVisible();
    await expect(page.locator('input[type=datetime-local], input[type=date]')).toHaveCount(0);
    // Open on a phone, the picker fits the screen.
    expect(
      await page.evaluate(() => {
        const wider = (el: Element | null) => !!el && el.scrollWidth > el.clientWidth + 1;
        return (
          document.documentElement.scrollWidth > window.innerWidth + 1 ||
          wider(document.querySelector('mat-sidenav-content')) ||
          wider(document.querySelector('main'))
        );
      }),
    ).toBe(false);

    // Today, from midnight to the end of the day (UTC), applied: it searches at once.
    const today = picker.locator('.mat-calendar-body-today');
    await today.click();
    await today.click();
    await page.getByTestId('custom-from').fill('00:00');
    await page.getByTestId('custom-to').fill('23:59');
    await page.getByTestId('custom-apply').click();
    await expect(picker).toBeHidden();
    await expect(page.getByTestId('logs-range')).toHaveText(
      /^\w{3} \d{1,2}, \d{4}, 00:00 – \w{3} \d{1,2}, \d{4}, 23:59$/,
    );
    const row = page.getByTestId('logs-row').filter({ hasText: marker });
    await expect(row).toHaveCount(1);

    // A histogram bar narrows the range to its span, to the millisecond; the line is still found.
    const bar = page.locator('[data-testid="logs-histogram-bar"]:has(.bar:not(.empty))');
    await expect(bar).toHaveCount(1);
    await bar.click();
    await expect(page.getByTestId('logs-range')).toHaveText(/\d{2}:\d{2}:\d{2}\.\d{3} – /);
    await expect(row).toHaveCount(1);

    // Any time widens back out.
    await page.getByTestId('logs-range-clear').click();
    await expect(page.getByTestId('logs-range')).toHaveText('Any time');
    await expect(row).toHaveCount(1);
  });
});
