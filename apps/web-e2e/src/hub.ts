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

  private constructor(
    private readonly port: number,
    /** The agent listener (TLS, TYTO_AGENT_PORT), for tests that run real agents. */
    readonly agentPort: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  // `port` and `env` for a hub whose URL must be known in advance (an OIDC redirect URI).
  static async launch(options: { port?: number; env?: Record<string, string> } = {}): Promise<Hub> {
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
    const port = options.port ?? (await freePort());
    const hub = new Hub(port, await freePort(port + 1), options.env ?? {});
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
        TYTO_AGENT_PORT: String(this.agentPort),
        // The install line the UI shows then points agents at loopback, which the certificate names.
        TYTO_AGENT_HOSTNAMES: '127.0.0.1',
        ...this.env,
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

// E2E hubs and agents use 18700–18749 (or TYTO_E2E_PORTS=FIRST-LAST, for runs that were given a
// range of their own); the first port there nobody listens on (other test runs may share this
// machine).
export const E2E_PORTS = portRange(process.env['TYTO_E2E_PORTS']) ?? { first: 18700, last: 18749 };

function portRange(value: string | undefined): { first: number; last: number } | null {
  const match = /^(\d+)-(\d+)$/.exec(value ?? '');
  if (!match) return null;
  const [first, last] = [Number(match[1]), Number(match[2])];
  return first > 0 && first < last && last < 65536 ? { first, last } : null;
}

async function freePort(from = E2E_PORTS.first): Promise<number> {
  // Next to a fixed port (an OIDC redirect URI's) outside the range: the range's first one.
  const start = from <= E2E_PORTS.last ? from : E2E_PORTS.first;
  for (let port = start; port <= E2E_PORTS.last; port++) {
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port in ${from}–${E2E_PORTS.last}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
