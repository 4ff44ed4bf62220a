import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { createViewer, signIn } from './session';

// Material draws its own box over the native checkbox, which is what Playwright can check.
function checkbox(page: Page, testId: string): Locator {
  return page.getByTestId(testId).locator('input[type="checkbox"]');
}

test.describe('users and roles', () => {
  test('an admin gives a new user a custom role, which shows them only what it allows', async ({
    page,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    for (const link of ['nav-dashboard', 'nav-users', 'nav-roles', 'nav-audit', 'nav-account']) {
      await expect(page.getByTestId(link)).toBeVisible();
    }

    // A custom role from the permission picker: one permission and a whole resource.
    await page.getByTestId('nav-roles').click();
    await expect(page.getByTestId('role-row-admin').getByTestId('role-system')).toBeVisible();
    await page.getByTestId('role-create').click();
    await page.getByTestId('role-form-name').fill('Alert Manager');
    await page.getByTestId('role-form-description').fill('Can manage alerts only');
    await checkbox(page, 'grant-dashboard:view').check();
    await checkbox(page, 'grant-alerts:*').check();
    // The wildcard already covers each alert permission.
    await expect(checkbox(page, 'grant-alerts:manage')).toBeChecked();
    await expect(checkbox(page, 'grant-alerts:manage')).toBeDisabled();
    await page.getByTestId('role-form-submit').click();
    await expect(
      page.getByTestId('role-row-alert-manager').getByTestId('role-permissions'),
    ).toHaveText('dashboard:view, alerts:*');

    // A user holding only that role.
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form-username').fill('alice');
    await page.getByTestId('user-form-email').fill('alice@example.com');
    // The minimum length is said before it is failed.
    await expect(page.getByTestId('password-hint')).toHaveText('At least 12 characters.');
    await page.getByTestId('user-form-password').fill('short');
    await checkbox(page, 'user-form-role-viewer').uncheck();
    await checkbox(page, 'user-form-role-alert-manager').check();
    await page.getByTestId('user-form-submit').click();
    // The minimum is checked at the field before sending, and the form stays open to fix it.
    await expect(page.getByTestId('user-form')).toContainText('at least 12 characters');
    await page.getByTestId('user-form-password').fill('alice-password-2026');
    await page.getByTestId('user-form-submit').click();
    const alice = page.getByTestId('user-row-alice');
    await expect(alice.getByTestId('user-roles')).toHaveText('Alert Manager');
    await expect(alice.getByTestId('user-status')).toHaveText('Active');
    await expect(page.getByTestId('user-form')).toBeHidden();

    // Both writes are in the audit log.
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-filter-action').fill('role.*');
    await page.getByTestId('audit-search').click();
    await expect(page.getByTestId('audit-action')).toHaveText(['role.create']);
    await page.getByTestId('audit-filter-action').fill('user.create');
    await page.getByTestId('audit-search').click();
    // The one that worked: the short password never left the browser (the form checks the
    // hub's minimum length before sending).
    await expect(page.getByTestId('audit-row')).toHaveCount(1);
    await expect(page.getByTestId('audit-row').first()).toContainText('success');

    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login$/);

    await signIn(page, 'alice', 'alice-password-2026');
    await expect(page.locator('[data-testid=fleet-card][data-agent-id=local]')).toBeVisible();
    await expect(page.getByTestId('nav-dashboard')).toBeVisible();
    await expect(page.getByTestId('nav-account')).toBeVisible();
    for (const link of ['nav-users', 'nav-roles', 'nav-audit']) {
      await expect(page.getByTestId(link)).toHaveCount(0);
    }
    // Typing the address does not get around the menu.
    await page.goto('/users');
    await expect(page.getByTestId('forbidden')).toBeVisible();
  });

  test('a user an admin disables is signed out at their next request', async ({
    page,
    browser,
    hub,
    request,
  }) => {
    await createViewer(request, 'bob', 'bob-password-2026');
    const bobContext = await browser.newContext({ baseURL: hub.url });
    try {
      const bob = await bobContext.newPage();
      await signIn(bob, 'bob', 'bob-password-2026');
      await bob.getByTestId('nav-account').click();
      await expect(bob.getByTestId('account-username')).toHaveText('bob');

      await signIn(page, 'admin', ADMIN_PASSWORD);
      await page.getByTestId('nav-users').click();
      const row = page.getByTestId('user-row-bob');
      await row.getByTestId('user-toggle-disabled').click();
      await expect(row.getByTestId('user-status')).toHaveText('Disabled');

      await bob.getByTestId('account-email').fill('bob@example.com');
      await bob.getByTestId('account-email-save').click();
      await expect(bob).toHaveURL(/\/login\?returnUrl=%2Faccount$/);
      await bob.getByTestId('login-username').fill('bob');
      await bob.getByTestId('login-password').fill('bob-password-2026');
      await bob.getByTestId('login-submit').click();
      await expect(bob.getByTestId('login-error')).toHaveText('Invalid username or password.');

      // Enabled again, bob can sign in.
      await row.getByTestId('user-toggle-disabled').click();
      await expect(row.getByTestId('user-status')).toHaveText('Active');
      await signIn(bob, 'bob', 'bob-password-2026');
    } finally {
      await bobContext.close();
    }
  });
});
