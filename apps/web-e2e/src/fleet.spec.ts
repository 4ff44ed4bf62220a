import type { Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ADMIN_PASSWORD } from './hub';
import { signIn } from './session';

const AGENT_ID = 'e2e-node';
const AGENT_NAME = 'E2E node';
const PENDING_ID = 'web-02';

// The install line is `curl -fsSL URL/downloads/install.sh | sudo sh -s -- FLAGS`: the flags after
// `--` are the agent's own, and --download-from is where install.sh fetches the bundle.
function parseInstallCommand(command: string): { downloadFrom: string; agentArgs: string[] } {
  const [, flags] = command.split(' sh -s -- ');
  expect(flags, `not an install line: ${command}`).toBeTruthy();
  const words = flags.trim().split(/\s+/);
  const agentArgs: string[] = [];
  let downloadFrom = '';
  for (let i = 0; i < words.length; i += 2) {
    if (words[i] === '--download-from') downloadFrom = words[i + 1];
    else agentArgs.push(words[i], words[i + 1]);
  }
  expect(downloadFrom).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return { downloadFrom, agentArgs };
}

// Screenshots for docs/usage.md, only when asked for (TYTO_E2E_SCREENSHOTS=<dir>).
async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env['TYTO_E2E_SCREENSHOTS'];
  if (!dir) return;
  for (const [suffix, size] of [
    ['desktop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(dir, `${name}-${suffix}.png`), fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

// Downloads the agent bundle from the hub, as install.sh does, and runs it from a temp dir.
async function runAgent(
  downloadFrom: string,
  args: string[],
  dirs: string[],
): Promise<{ child: ChildProcess; log: () => string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-e2e-agent-'));
  dirs.push(dir);
  const bundle = await fetch(`${downloadFrom}/downloads/tyto-agent.js`);
  expect(bundle.status).toBe(200);
  writeFileSync(path.join(dir, 'tyto-agent.js'), Buffer.from(await bundle.arrayBuffer()));
  // Its state in the temp dir instead of /var/lib/tyto-agent; a clean environment.
  const child = spawn(
    process.execPath,
    [path.join(dir, 'tyto-agent.js'), ...args, '--state-dir', path.join(dir, 'state')],
    { cwd: dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stdio: 'pipe' },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { child, log: () => log };
}

test.describe('fleet', () => {
  const agents: ChildProcess[] = [];
  const dirs: string[] = [];

  test.afterEach(async () => {
    for (const child of agents.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('a host added in the UI comes online on the fleet overview and goes revoked', async ({
    page,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-agents').click();
    await expect(page).toHaveURL(/\/agents$/);
    await expect(page.getByTestId('ca-fingerprint')).toHaveText(/^sha256:[0-9a-f]{64}$/);
    const fingerprint = await page.getByTestId('ca-fingerprint').textContent();

    // A host added but never installed stays pending, and looks it on the overview.
    await page.getByTestId('add-host').click();
    await page.getByTestId('add-host-id').fill(PENDING_ID);
    await page.getByTestId('add-host-name').fill('Web 02');
    await page.getByTestId('add-host-submit').click();
    await expect(page.getByTestId('install-command')).toContainText(`--id ${PENDING_ID}`);
    await page.getByTestId('add-host-done').click();
    await expect(
      page
        .locator(`[data-testid=agent-row][data-agent-id=${PENDING_ID}]`)
        .getByTestId('agent-status'),
    ).toHaveText('Pending');

    await page.getByTestId('add-host').click();
    await page.getByTestId('add-host-id').fill(AGENT_ID);
    await page.getByTestId('add-host-name').fill(AGENT_NAME);
    await page.getByTestId('add-host-submit').click();
    const command = (await page.getByTestId('install-command').textContent())?.trim() ?? '';
    expect(command).toContain(`--ca-fingerprint ${fingerprint}`);
    expect(command).toContain(`--id ${AGENT_ID}`);
    await expect(page.locator(`[data-testid=agent-row][data-agent-id=${AGENT_ID}]`)).toBeVisible();

    // What install.sh would do, without sudo: fetch the bundle from the hub and run it with the
    // line's flags.
    const { downloadFrom, agentArgs } = parseInstallCommand(command);
    const agent = await runAgent(downloadFrom, agentArgs, dirs);
    agents.push(agent.child);
    const agentLog = agent.log;

    // The fleet overview: the new host's card comes online beside the hub's own.
    await page.getByTestId('nav-dashboard').click();
    const card = page.locator(`[data-testid=fleet-card][data-agent-id=${AGENT_ID}]`);
    const local = page.locator('[data-testid=fleet-card][data-agent-id=local]');
    await expect(local).toBeVisible();
    await expect(card, agentLog()).toHaveAttribute('data-status', 'online', {
      timeout: 30_000,
    });
    await expect(card.getByTestId('fleet-card-cpu')).toHaveText(/%/);
    await expect(card.getByTestId('fleet-card-name')).toHaveText(AGENT_NAME);
    const pending = page.locator(`[data-testid=fleet-card][data-agent-id=${PENDING_ID}]`);
    await expect(pending).toHaveAttribute('data-status', 'pending');
    await expect(pending.getByTestId('fleet-card-empty')).toContainText('Not enrolled yet');

    // Filtering by name leaves only the new host.
    await page.getByTestId('fleet-filter').fill('e2e');
    await expect(page.getByTestId('fleet-card')).toHaveCount(1);
    await page.getByTestId('fleet-filter').fill('');
    await expect(page.getByTestId('fleet-card')).toHaveCount(3);
    await page.getByTestId('fleet-status-filter').click();
    await page.getByRole('option', { name: 'Pending' }).click();
    await expect(page.getByTestId('fleet-card')).toHaveCount(1);
    // The closing panel would swallow the next click.
    await expect(page.getByRole('listbox')).toBeHidden();
    await page.getByTestId('fleet-status-filter').click();
    await page.getByRole('option', { name: 'All' }).click();
    await expect(page.getByTestId('fleet-card')).toHaveCount(3);
    await screenshot(page, 'fleet');

    // Its host page streams its own samples; the switcher says which host this is.
    const ownStream = page.waitForRequest((r) =>
      r.url().includes(`/api/v1/stream?agent_id=${AGENT_ID}`),
    );
    await card.click();
    await expect(page).toHaveURL(new RegExp(`/host/${AGENT_ID}$`));
    await ownStream;
    await expect(page.getByTestId('host-switcher')).toContainText(AGENT_NAME);
    await expect(page.getByTestId('hostname')).not.toBeEmpty({ timeout: 20_000 });
    // The history tab asks for this host's history, and the switcher keeps the tab.
    const ownHistory = page.waitForRequest((r) => r.url().includes(`agent_id=${AGENT_ID}`));
    await page.getByTestId('host-tab-history').click();
    await ownHistory;
    await page.getByTestId('host-switcher').click();
    await expect(page.getByRole('listbox')).toBeVisible();
    await page
      .locator('mat-option', { hasText: /\(local\)$|^\s*local\s*$/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/host\/local\/history$/);

    // Revoke it on the Agents page, behind a confirmation naming it.
    await page.getByTestId('nav-agents').click();
    const row = page.locator(`[data-testid=agent-row][data-agent-id=${AGENT_ID}]`);
    await expect(row.getByTestId('agent-status')).toHaveText('Online');
    await screenshot(page, 'agents');
    await row.getByTestId('revoke').click();
    await expect(page.getByTestId('confirm-message')).toContainText(AGENT_NAME);
    await page.getByTestId('confirm-ok').click();
    await expect(row.getByTestId('agent-status')).toHaveText('Revoked');
    await expect(row.getByTestId('revoke')).toHaveCount(0);

    await page.getByTestId('nav-dashboard').click();
    await expect(card).toHaveAttribute('data-status', 'revoked');
    await expect(card.getByTestId('fleet-card-status')).toHaveText('Revoked');
    await expect(local).toHaveAttribute('data-status', 'online');
  });
});

test.describe('fleet enrollment without a token', () => {
  const agents: ChildProcess[] = [];
  const dirs: string[] = [];

  test.afterEach(async () => {
    for (const child of agents.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('an agent that asks without a token waits for approval on the Agents page', async ({
    page,
    hub,
  }) => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/agents');
    const fingerprint = (await page.getByTestId('ca-fingerprint').textContent())?.trim() ?? '';
    expect(fingerprint).toMatch(/^sha256:/);

    const agent = await runAgent(
      hub.url,
      [
        '--hub',
        `https://127.0.0.1:${hub.agentPort}`,
        '--ca-fingerprint',
        fingerprint,
        '--id',
        'asks-01',
        '--name',
        'Asks first',
      ],
      dirs,
    );
    agents.push(agent.child);

    // The page re-reads the requests by itself.
    const request = page.locator('[data-testid=pending-row][data-agent-id=asks-01]');
    await expect(request, agent.log()).toBeVisible({ timeout: 20_000 });
    await expect(request).toContainText('Asks first');
    await expect(request).toContainText('sha256:');
    await request.getByTestId('approve').click();
    await expect(request).toHaveCount(0);

    // The agent picks up its certificate at its next poll and connects.
    await page.getByTestId('nav-dashboard').click();
    const card = page.locator('[data-testid=fleet-card][data-agent-id=asks-01]');
    await expect(card, agent.log()).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  });
});
