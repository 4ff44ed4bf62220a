import { expect, test } from './fixtures';

test.describe('API docs page', () => {
  test('a developer opens /api/docs and sees every operation, without console errors', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));

    await page.goto('/api/docs');

    await expect(page.locator('.swagger-ui .info .title')).toContainText('Tyto hub API');
    await expect(page.getByText('/api/v1/auth/login', { exact: true })).toBeVisible();
    await expect(page.getByText('/api/v1/users/{id}/password', { exact: true })).toBeVisible();
    expect(errors).toEqual([]);
  });
});
