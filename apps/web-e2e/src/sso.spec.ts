import { expect, test } from '@playwright/test';
import type { MeResponse } from '@tyto/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Hub } from './hub';

// Ports from the sso range (18400–18499): the hub's URL is the redirect URI the provider knows.
const HUB_PORT = 18430;
const PROVIDER_PORT = 18431;
const HUB_URL = `http://127.0.0.1:${HUB_PORT}`;
// The same oidc-provider fixture the API tests run (ESM-only, so a child process).
const PROVIDER_SCRIPT = path.resolve(__dirname, '../../api/src/test/fixtures/oidc-provider.mjs');

let provider: ChildProcess;
let hub: Hub;

test.beforeAll(async () => {
  provider = spawn(
    process.execPath,
    [
      PROVIDER_SCRIPT,
      String(PROVIDER_PORT),
      `${HUB_URL}/api/v1/auth/oidc/callback`,
      `${HUB_URL}/login`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`oidc-provider did not start:\n${out}`)),
      15_000,
    );
    provider.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    provider.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  });
  hub = await Hub.launch({
    port: HUB_PORT,
    env: {
      TYTO_PUBLIC_URL: HUB_URL,
      TYTO_OIDC_ISSUER: `http://127.0.0.1:${PROVIDER_PORT}`,
      TYTO_OIDC_CLIENT_ID: 'tyto',
      TYTO_OIDC_CLIENT_SECRET: 'tyto-test-secret',
      TYTO_OIDC_SCOPES: 'openid profile email groups',
      TYTO_OIDC_ROLE_MAP: JSON.stringify({ ops: 'operator' }),
      TYTO_OIDC_DISPLAY_NAME: 'Sign in with Test IdP',
    },
  });
});

test.afterAll(async () => {
  await hub?.dispose();
  if (provider && provider.exitCode === null) {
    const exited = new Promise((r) => provider.once('exit', r));
    provider.kill('SIGTERM');
    await exited;
  }
});

test('signs in with OIDC (code + PKCE) in the browser and lands on the dashboard with the mapped role', async ({
  page,
}) => {
  await page.goto(`${HUB_URL}/login`);
  await page.getByTestId('login-sso').click();
  // oidc-provider's development login form: any password signs in the fixture account.
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(`${HUB_URL}/`);
  await expect(page.getByTestId('current-user')).toHaveText('alice');
  const me = (await (await page.request.get(`${HUB_URL}/api/v1/auth/me`)).json()) as MeResponse;
  expect(me).toMatchObject({ username: 'alice', auth_provider: 'oidc', roles: ['operator'] });
});

test('shows why a single sign-on was refused', async ({ page }) => {
  await page.goto(`${HUB_URL}/api/v1/auth/oidc/callback?code=forged&state=forged`);
  await expect(page).toHaveURL(/\/login\?sso_error=OIDC_LOGIN_FAILED/);
  await expect(page.getByTestId('sso-error')).toContainText('Single sign-on failed');
});
