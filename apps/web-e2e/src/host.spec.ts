import type { Download } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { createViewer, signIn } from './session';

async function firstLine(download: Download): Promise<string> {
  const text = await readFile(await download.path(), 'utf8');
  return text.split('\r\n')[0];
}

test.describe('host page', () => {
  test('an admin inspects the host live, browses its last hour and exports both', async ({
    page,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    // The fleet overview's card of the hub's own host opens its host page.
    await page.locator('[data-testid=fleet-card][data-agent-id=local]').click();
    await expect(page).toHaveURL(/\/host\/local$/);

    await expect(page.getByTestId('hostname')).toHaveText(hostname());
    await expect(
      page.getByTestId('processes-by-cpu').getByTestId('table-row').first(),
    ).toBeVisible();
    await expect(page.getByTestId('disk-mounts').getByTestId('table-row')).not.toHaveCount(0);
    await expect(page.getByTestId('network-interfaces').getByTestId('table-row')).not.toHaveCount(
      0,
    );
    // An admin may change how often the hub samples.
    await expect(page.getByTestId('refresh-interval')).toBeVisible();

    const snapshotDownload = page.waitForEvent('download');
    await page.getByTestId('export-snapshot-csv').click();
    const snapshot = await snapshotDownload;
    expect(snapshot.suggestedFilename()).toMatch(/^tyto-metrics-local-\d{8}T\d{6}Z\.csv$/);
    const snapshotHeader = (await firstLine(snapshot)).split(',');
    expect(snapshotHeader).toEqual(
      expect.arrayContaining(['timestamp', 'system.hostname', 'cpu.totalUsage']),
    );

    await page.getByTestId('host-tab-history').click();
    await expect(page).toHaveURL(/\/host\/local\/history$/);
    // The hub stores a raw sample every second here; ask again until the hour has a few.
    await expect(async () => {
      await page.getByTestId('history-refresh').click();
      await expect(page.getByTestId('history-range')).toContainText('full resolution', {
        timeout: 2_000,
      });
      const points = await page.getByTestId('history-range').textContent();
      expect(Number(/(\d+) points/.exec(points ?? '')?.[1])).toBeGreaterThan(2);
    }).toPass({ timeout: 30_000 });
    const cpuChart = page.getByTestId('history-chart-cpu');
    await expect(cpuChart.locator('path.line')).toHaveCount(1);
    // The min–max band is drawn under the average line.
    await expect(cpuChart.locator('.line-series-range path')).toHaveCount(1);
    await expect(page.getByTestId('history-chart-network').locator('path.line')).toHaveCount(2);

    // A point on the chart opens the top processes of its minute.
    await cpuChart.locator('ngx-charts-line-chart svg').click();
    await expect(
      page.getByTestId('history-processes-by-cpu').getByTestId('table-row').first(),
    ).toBeVisible();

    const rangeDownload = page.waitForEvent('download');
    await page.getByTestId('export-range-csv').click();
    const range = await rangeDownload;
    expect(range.suggestedFilename()).toMatch(/^tyto-metrics-local-.*\.csv$/);
    const rangeHeader = (await firstLine(range)).split(',');
    expect(rangeHeader[0]).toBe('timestamp');
    expect(rangeHeader).toEqual(expect.arrayContaining(['cpu.avg', 'cpu.min', 'cpu.max']));
  });

  test('a viewer sees the host but neither export nor the sampling control', async ({
    page,
    request,
  }) => {
    await createViewer(request, 'victor', 'victor-password-2026');
    await signIn(page, 'victor', 'victor-password-2026');
    await page.goto('/host/local');

    await expect(page.getByTestId('hostname')).toHaveText(hostname());
    await expect(page.getByTestId('refresh-interval-text')).toContainText('Sampled every');
    await expect(page.getByTestId('refresh-interval')).toHaveCount(0);
    await expect(page.getByTestId('export-snapshot-csv')).toHaveCount(0);

    await page.getByTestId('host-tab-history').click();
    await expect(page.getByTestId('history-range')).toBeVisible();
    await expect(page.getByTestId('export-range-csv')).toHaveCount(0);
  });
});
