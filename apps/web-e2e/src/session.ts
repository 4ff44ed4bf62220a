import type { APIRequestContext, Page } from '@playwright/test';
import type { LoginResponse } from '@tyto/contracts';
import { expect } from './fixtures';
import { ADMIN_PASSWORD } from './hub';

// Fills in and submits the login form the page is on, without waiting for the outcome.
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

// Signs in from the login page and waits until the shell shows the user.
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, username, password);
  await expect(page.getByTestId('current-user')).toHaveText(username);
}

// An admin session's token, for set-up through the API.
export async function adminToken(request: APIRequestContext): Promise<string> {
  const login = await request.post('/api/v1/auth/login', {
    data: { username: 'admin', password: ADMIN_PASSWORD },
  });
  expect(login.ok()).toBe(true);
  return ((await login.json()) as LoginResponse).token;
}

// Sets a global threshold rule through the API, so the page under test stays where it is.
export async function setRule(
  request: APIRequestContext,
  token: string,
  type: 'memory' | 'disk',
  warning: number,
  critical: number,
): Promise<void> {
  const res = await request.post('/api/v1/alerts/rules', {
    headers: { Authorization: `Bearer ${token}` },
    data: { type, warning, critical },
  });
  expect(res.ok()).toBe(true);
}

// Sets up a viewer through the API, for tests that are about something else than creating one.
export async function createViewer(
  request: APIRequestContext,
  username: string,
  password: string,
): Promise<void> {
  const token = await adminToken(request);
  const created = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${token}` },
    data: { username, password, roles: ['viewer'] },
  });
  expect(created.ok()).toBe(true);
}
