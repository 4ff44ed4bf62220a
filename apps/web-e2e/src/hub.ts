import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ADMIN_PASSWORD = 'e2e-admin-password-7f3a';

const workspaceRoot = path.resolve(__dirname, '../../..');
const hubMain = path.join(workspaceRoot, 'dist/apps/api/main.js');
const webIndex = path.join(workspaceRoot, 'dist/apps/web/browser/index.html');
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

// A real hub (`node dist/apps/api/main.js`) on a free port with a fresh data directory, sampling
// every second. It can be stopped and started again on the same port and data, which is how the
// dashboard's reconnect is tested.
export class Hub {
  readonly url: string;
  private readonly dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-e2e-'));
  // A file the hub follows as one of its own host's logs; tests append lines to it.
  readonly logFile = path.join(this.dataDir, 'e2e-app.log');
  private process: ChildProcess | null = null;
  private output = '';

  private constructor(private readonly port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async launch(): Promise<Hub> {
    for (const [file, target] of [
      [hubMain, 'api'],
      [webIndex, 'web'],
    ]) {
      if (!existsSync(file)) {
        throw new Error(
          `${file} is missing: run \`nx run-many -t build -p api web\` first (${target})`,
        );
      }
    }
    const hub = new Hub(await freePort());
    await hub.start();
    return hub;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [hubMain], {
      cwd: workspaceRoot,
      env: {
        ...process.env,
        TYTO_HOST: '127.0.0.1',
        TYTO_PORT: String(this.port),
        TYTO_DATA_DIR: this.dataDir,
        TYTO_ADMIN_PASSWORD: ADMIN_PASSWORD,
        TYTO_SAMPLE_INTERVAL: '1',
        TYTO_LOG_LEVEL: 'warn',
        TYTO_LOG_FILES: this.logFile,
        TYTO_LOG_JOURNAL: 'off',
        TYTO_LOG_DOCKER: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await this.waitUntilHealthy(child);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // Everything the hub printed, for failure messages.
  logs(): string {
    return this.output;
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`The hub exited with code ${child.exitCode}:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.stop();
    throw new Error(
      `The hub did not answer /health within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`,
    );
  }
}

// Asks the OS for an unused port; several hubs (other test runs) may share this machine.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('No port assigned')),
      );
    });
  });
}
