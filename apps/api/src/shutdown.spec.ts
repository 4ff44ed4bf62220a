import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Signals need a process of their own: the hub is bundled from the current sources (a stale
// dist/ would test old code) and run as `node main.js`, as in production.
const root = path.resolve(__dirname, '../../..');
const bundle = path.join(root, 'tmp/shutdown-spec/main.js');
const PASSWORD = 'shutdown-spec-password';

interface RunningHub {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  dataDir: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function launch(): Promise<RunningHub> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-shutdown-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TYTO_')),
  );
  const child = spawn(process.execPath, [bundle], {
    cwd: root,
    env: {
      ...env,
      TYTO_HOST: '127.0.0.1',
      TYTO_PORT: String(port),
      TYTO_DATA_DIR: dataDir,
      TYTO_ADMIN_PASSWORD: PASSWORD,
      TYTO_SAMPLE_INTERVAL: '1',
      TYTO_WEB_DIR: '',
      TYTO_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const deadline = Date.now() + 20_000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the hub did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, output: () => output, exited, dataDir };
}

async function login(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** A raw socket that has had one answer and now sits idle on keep-alive. */
async function idleKeepAlive(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.write('GET /health HTTP/1.1\r\nHost: hub\r\n\r\n');
  });
  return { socket, closed };
}

/**
 * A login on a keep-alive socket whose body is sent in two halves: in flight from the first on.
 * `closed` resolves with everything the hub sent once it closes the socket.
 */
function slowLogin(port: number): { finish: (then?: string) => void; closed: Promise<string> } {
  const body = JSON.stringify({ username: 'admin', password: PASSWORD });
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
  );
  return { finish: (then = '') => socket.write(body.slice(10) + then), closed };
}

describe('stopping the hub', () => {
  let hub: RunningHub | null = null;
  beforeAll(() => {
    mkdirSync(path.dirname(bundle), { recursive: true });
    execFileSync(
      process.execPath,
      ['tools/build/build-node.mjs', 'apps/api/src/main.ts', bundle, 'apps/api/tsconfig.app.json'],
      { cwd: root, stdio: 'pipe' },
    );
  }, 60_000);
  afterEach(() => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGKILL');
    }
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
    hub = null;
  });

  it('on SIGTERM closes idle connections and streams, finishes requests and exits 0', async () => {
    hub = await launch();
    const { port } = hub;
    const token = await login(port);
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/stream',
            agent: false,
            headers: { authorization: `Bearer ${token}` },
          },
          resolve,
        )
        .once('error', reject);
    });
    expect(stream.statusCode).toBe(200);
    const streamEnded = new Promise<number>((resolve) => {
      stream.on('data', () => undefined);
      stream.once('end', () => resolve(Date.now()));
    });
    const idle = await idleKeepAlive(port);
    const inFlight = slowLogin(port);
    await new Promise((r) => setTimeout(r, 100));

    const signalled = Date.now();
    hub.child.kill('SIGTERM');
    // Idle keep-alive sockets and streams go at once, not after a keep-alive timeout.
    expect((await idle.closed) - signalled).toBeLessThan(1000);
    expect((await streamEnded) - signalled).toBeLessThan(1000);
    // The request that was in flight still gets its answer, and the connection closes after it.
    await new Promise((r) => setTimeout(r, 300));
    // A request pipelined behind it arrives after the stop began: 503 in the error shape.
    inFlight.finish('POST /api/v1/auth/logout HTTP/1.1\r\nHost: hub\r\n\r\n');
    const answer = await inFlight.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const refused = answer.slice(answer.indexOf('HTTP/1.1 503'));
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'The hub is shutting down',
      code: 'SHUTTING_DOWN',
      details: {},
    });

    const exit = await hub.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled).toBeLessThan(5000);
    expect(hub.output()).toContain('shutting down: SIGTERM');
    expect(hub.output()).toMatch(/stopped in \d+ ms/);
    // Nothing is listening any more.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 30_000);

  it('exits at once, non-zero, on a second signal while stopping', async () => {
    hub = await launch();
    // A request that never completes keeps the drain waiting.
    slowLogin(hub.port);
    await new Promise((r) => setTimeout(r, 100));
    hub.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.child.exitCode).toBeNull();
    const signalled = Date.now();
    hub.child.kill('SIGINT');
    const exit = await hub.exited;
    expect(exit.code).toBe(130);
    expect(exit.at - signalled).toBeLessThan(1000);
  }, 30_000);
});
