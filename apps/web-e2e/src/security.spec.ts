import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

// Records every Content-Security-Policy violation the page reports: Chromium logs each one to
// the console, and fires `securitypolicyviolation` (also for report-only cases the log may word
// differently), so both are watched.
async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) {
      violations.push(`console: ${message.text()}`);
    }
  });
  await page.exposeFunction('tytoCspViolation', (line: string) => violations.push(line));
  await page.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        const report = (window as unknown as { tytoCspViolation(line: string): void })
          .tytoCspViolation;
        report(
          `event: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
            `(${e.sourceFile}:${e.lineNumber})`,
        );
      },
      true,
    );
  });
  return violations;
}

test.describe('content security policy', () => {
  test('the app signs in and shows the dashboard and host page without a violation', async ({
    page,
  }) => {
    const violations = await watchCspViolations(page);

    const response = await page.goto('/login');
    // Without the header this test would prove nothing.
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/dashboard');
    await expect(page.getByTestId('hostname')).toBeVisible();
    // Live samples over the EventSource, drawn by ngx-charts.
    await expect(page.getByTestId('cpu-chart').locator('path.line')).toHaveCount(1);
    await expect(page.getByTestId('cpu-cores').getByRole('progressbar')).not.toHaveCount(0);

    await page.getByTestId('host-details-link').click();
    await expect(page).toHaveURL(/\/host\/local$/);
    await expect(
      page.getByTestId('processes-by-cpu').getByTestId('table-row').first(),
    ).toBeVisible();
    await page.getByTestId('host-tab-history').click();
    await expect(page.getByTestId('history-range')).toBeVisible();
    await expect(page.getByTestId('history-chart-cpu').locator('svg').first()).toBeVisible();

    // The fleet overview (its sparklines are inline SVG) and the Agents page.
    await page.getByTestId('nav-dashboard').click();
    await expect(page.locator('[data-testid=fleet-card][data-agent-id=local]')).toBeVisible();
    await page.getByTestId('nav-agents').click();
    await expect(page.getByTestId('ca-fingerprint')).toBeVisible();

    expect(violations).toEqual([]);
  });
});
