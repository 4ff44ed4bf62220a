import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';

// Debian's Chromium: Playwright's own browser downloads cannot reach their host from here.
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `${CHROMIUM} is missing; install it with: DEBIAN_FRONTEND=noninteractive apt-get install -y chromium`,
  );
}

const workspaceRoot = path.resolve(__dirname, '../..');

export default defineConfig({
  testDir: './src',
  outputDir: path.join(workspaceRoot, 'dist/.playwright/web-e2e/test-results'),
  // Every test drives the same hub process (see src/fixtures.ts); one worker keeps them from
  // stepping on each other's sessions and the hub restart.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
