import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

test.describe('API tokens', () => {
  test('a user creates a token, copies it once, uses it, and revokes it', async ({ page, hub }) => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-account').click();
    const section = page.getByTestId('account-tokens');
    await expect(section.getByTestId('token-empty')).toBeVisible();

    await section.getByTestId('token-new').click();
    await section.getByTestId('token-name').fill('prometheus-e2e');
    await section.getByTestId('grant-metrics:scrape').click();
    await section.getByTestId('token-create').click();

    const secret = section.getByTestId('token-secret-value');
    await expect(secret).toHaveText(/^tyto_[A-Za-z0-9_-]{43}$/);
    const token = (await secret.textContent()) ?? '';
    await section.getByTestId('token-secret-copy').click();
    await expect(section.getByTestId('token-secret-copy')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // The token works as a bearer token for what it was given.
    const scrape = await fetch(`${hub.url}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(scrape.status).toBe(200);

    // Shown once: gone after Done and after a reload; the list never has it.
    await section.getByTestId('token-secret-done').click();
    await expect(section.getByTestId('token-secret')).toBeHidden();
    await page.reload();
    const row = section.getByTestId('token-row').filter({ hasText: 'prometheus-e2e' });
    await expect(row.getByTestId('token-row-state')).toHaveText('active');
    await expect(page.getByText(token)).toHaveCount(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByTestId('token-revoke').click();
    await expect(row.getByTestId('token-row-state')).toHaveText('revoked');
    const refused = await fetch(`${hub.url}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);
  });

  test("an admin sees every user's tokens with their owner and revokes one", async ({ page }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/account');
    const section = page.getByTestId('account-tokens');
    await section.getByTestId('token-new').click();
    await section.getByTestId('token-name').fill('backup-e2e');
    await section.getByTestId('grant-audit:view').click();
    await section.getByTestId('token-create').click();
    await expect(section.getByTestId('token-secret')).toBeVisible();
    await section.getByTestId('token-secret-done').click();

    await page.getByTestId('nav-tokens').click();
    await expect(page).toHaveURL(/\/tokens$/);
    const table = page.getByTestId('admin-token-table');
    const row = table.getByTestId('token-row').filter({ hasText: 'backup-e2e' });
    await expect(row.getByTestId('token-row-owner')).toHaveText('admin');
    await page.getByTestId('tokens-filter').fill('no-such-token');
    await expect(table.getByTestId('token-empty')).toBeVisible();
    await page.getByTestId('tokens-filter').fill('backup');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByTestId('token-revoke').click();
    // Revoked tokens leave the default view and stay listed for the record.
    await expect(row).toBeHidden();
    await page.getByTestId('tokens-show-inactive').click();
    await expect(row.getByTestId('token-row-state')).toHaveText('revoked');
  });
});
