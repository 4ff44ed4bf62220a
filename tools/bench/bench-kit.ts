/**
 * Shared pieces of the hub benchmarks (http-bench, sse-bench, rss-bench): command-line flags, the
 * machine line, a port in 19100–19199, the hub as a black-box child process (built with
 * tools/build/build-node.mjs, optionally on its own PostgreSQL database), /proc readings from
 * outside, child cleanup on exit, error or signal, and markdown tables.
 *
 * The hub is only ever reached over loopback HTTP: nothing here imports its code, so the scripts
 * measure whatever apps/api/src/main.ts builds into today.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { readHostConstants } from '@tyto/collector';

export const ADMIN_PASSWORD = 'correct-horse-battery';
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT_FIRST = 19100;
const PORT_COUNT = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const round = (v: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

// ---------------------------------------------------------------------------------------------
// Command line

export interface Cli {
  /** `--name value` or `--name=value`; '' for a bare `--name`; undefined when absent. */
  str(name: string): string | undefined;
  num(name: string, fallback: number): number;
  flag(name: string): boolean;
}

/**
 * Accepts `--name value` and `--name=value` (as collector-bench does, the form nx run-commands
 * forwards) and rejects flags not in `known`, so a typo does not silently run the defaults.
 */
export function parseCli(known: readonly string[], argv = process.argv.slice(2)): Cli {
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0];
    if (!known.includes(name)) {
      throw new Error(`unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`);
    }
  }
  const str = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) {
      const v = argv[i + 1];
      return v !== undefined && !v.startsWith('--') ? v : '';
    }
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  return {
    str,
    num(name, fallback) {
      const v = str(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < 0)
        throw new Error(`--${name}: not a number: '${v}'`);
      return n;
    },
    flag: (name) => str(name) !== undefined,
  };
}

/** The flags every hub benchmark takes (see hubFromCli). */
export const HUB_FLAGS = ['hub', 'web', 'pg', 'hub-node-flags'] as const;

const shellQuote = (s: string) =>
  /^[\w./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** The command that reproduces this run, and the machine it ran on. */
export function printHeader(script: string, title: string): void {
  const args = process.argv.slice(2).map(shellQuote).join(' ');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`## ${title}\n`);
  console.log('Reproduce (from the repository root):\n');
  console.log(
    `    node tools/build/build-node.mjs tools/bench/${script}.ts dist/tools/${script}.js ` +
      `apps/api/tsconfig.app.json && node dist/tools/${script}.js${args ? ` ${args}` : ''}\n`,
  );
  console.log(
    `Machine: ${cpus().length} × ${cpu}, ${round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, ` +
      `Node ${process.version}, load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ulimit -n ${openFileLimit() ?? '?'}\n`,
  );
}

/** The soft limit on open files this process (and its children) run under. */
export function openFileLimit(): number | null {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and tables

export const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** `median (min–max)`, or just the value for a single run. */
export function spread(xs: readonly number[], digits = 1): string {
  const f = (v: number) => round(v, digits).toLocaleString('en');
  if (xs.length === 0) return '—';
  if (xs.length === 1) return f(xs[0]);
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}
export const ratio = (a: number, b: number) =>
  Number.isFinite(a / b) && b !== 0 ? `${round(a / b, 2)}×` : '—';

export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(header.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map(line),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Cleanup: children are killed and temporary state removed on exit, error and signals

const children = new Set<ChildProcess>();
const cleanups: (() => void | Promise<void>)[] = [];

export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}
function killAll(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
async function runCleanups(): Promise<void> {
  killAll();
  const pending = cleanups.splice(0).reverse();
  for (const fn of pending) {
    try {
      await Promise.race([fn(), sleep(10_000)]);
    } catch (e) {
      console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Runs a benchmark's main: on success, error or SIGINT/SIGTERM, children and temp state go. */
export function runMain(main: () => Promise<void>): void {
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: stopping the benchmark's children`);
      void runCleanups().then(() => process.exit(130));
    });
  }
  main().then(
    async () => {
      await runCleanups();
      process.exit(process.exitCode ?? 0);
    },
    async (e: unknown) => {
      console.error(
        `\nbenchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      await runCleanups();
      process.exit(1);
    },
  );
}

/** The role this bundle was forked for (`--role NAME`), or null for the measuring parent. */
export function childRole(): string | null {
  const i = process.argv.indexOf('--role');
  return i > 0 ? (process.argv[i + 1] ?? null) : null;
}

/** Forks this same bundle in another role, with an IPC channel; it ends when the parent goes. */
export function forkRole(role: string, args: readonly string[] = []): ChildProcess {
  const script = process.argv[1];
  return track(
    fork(script, ['--role', role, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    }),
  );
}

/** In a forked role: exit when the parent does (its IPC channel closes). */
export function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0));
}

/** Resolves with the first IPC message of `type` from `child`; rejects on exit or timeout. */
export function nextMessage<T extends { type: string }>(
  child: ChildProcess,
  type: T['type'],
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no '${type}' from child within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type)
        done(null, m as T);
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`child exited (${signal ?? code}) before sending '${type}'`));
    function done(err: Error | null, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

// ---------------------------------------------------------------------------------------------
// Ports (19100–19199, loopback only)

let nextPort = PORT_FIRST;
const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

export async function freePort(): Promise<number> {
  for (let i = 0; i < PORT_COUNT; i++) {
    const port = PORT_FIRST + ((nextPort - PORT_FIRST + i) % PORT_COUNT);
    if (await canListen(port)) {
      nextPort = port + 1;
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_FIRST}–${PORT_FIRST + PORT_COUNT - 1}`);
}

// ---------------------------------------------------------------------------------------------
// /proc, read from outside the measured process

const { clockTicks } = readHostConstants();

/** User + system CPU seconds of `pid` (fields 14 and 15 of /proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** VmRSS (and VmHWM) of `pid`, in MB (2^20 bytes). */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}
export const rssMb = (pid: number) => memoryMb(pid).rss;

/** CPU use of `pid` as % of one core between start() and the returned function's call. */
export function cpuMeter(pid: number): () => number {
  const c0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  return () => {
    const c1 = cpuSeconds(pid);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    return ((c1 - c0) / wall) * 100;
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP over loopback

export interface Reply {
  status: number;
  body: string;
}

export function request(
  method: string,
  url: string,
  opts: { token?: string; json?: unknown; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const headers: http.OutgoingHttpHeaders = {};
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 15_000, () =>
      req.destroy(new Error(`${method} ${url}: timed out`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function login(base: string): Promise<string> {
  const r = await request('POST', `${base}/api/v1/auth/login`, {
    json: { username: 'admin', password: ADMIN_PASSWORD },
  });
  if (r.status !== 200) throw new Error(`login: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  const token = (JSON.parse(r.body) as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error(`login: no token in ${r.body.slice(0, 200)}`);
  return token;
}

export async function logout(base: string, token: string): Promise<void> {
  const r = await request('POST', `${base}/api/v1/auth/logout`, { token });
  if (r.status >= 300) throw new Error(`logout: HTTP ${r.status} ${r.body.slice(0, 200)}`);
}

// ---------------------------------------------------------------------------------------------
// The hub as a child process

export interface HubSetup {
  /** The built main.js. */
  main: string;
  /** TYTO_WEB_DIR ('' serves the API only). */
  webDir: string;
  /** A PostgreSQL server where a database may be created, or null for SQLite. */
  pgUrl: string | null;
  /** Node/V8 flags for the hub's process (--hub-node-flags), to compare runtime settings. */
  nodeFlags: string[];
}

/** Reads --hub, --web and --pg, building the hub (and the web app, if missing) as needed. */
export function hubFromCli(cli: Cli): HubSetup {
  if (!existsSync('tools/build/build-node.mjs')) throw new Error('run from the repository root');
  let main = cli.str('hub');
  if (main) {
    if (!existsSync(main)) throw new Error(`--hub ${main}: no such file`);
  } else {
    main = 'dist/apps/api/main.js';
    console.log(`building the hub into ${main} …`);
    execFileSync(
      process.execPath,
      ['tools/build/build-node.mjs', 'apps/api/src/main.ts', main, 'apps/api/tsconfig.app.json'],
      { stdio: 'inherit' },
    );
  }
  let webDir = cli.str('web');
  if (webDir === 'none') webDir = '';
  else if (!webDir) {
    webDir = 'dist/apps/web/browser';
    if (!existsSync(path.join(webDir, 'index.html'))) {
      console.log(`no web build at ${webDir}: building it (npx nx run web:build:production) …`);
      execFileSync('npx', ['nx', 'run', 'web:build:production'], {
        stdio: 'inherit',
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        timeout: 900_000,
      });
    }
  } else if (!existsSync(webDir)) throw new Error(`--web ${webDir}: no such directory`);
  const pg = cli.str('pg');
  return {
    main: path.resolve(main),
    webDir: webDir ? path.resolve(webDir) : '',
    pgUrl: pg === undefined ? null : pg || DEFAULT_PG_URL,
    nodeFlags: (cli.str('hub-node-flags') ?? '').split(/\s+/).filter(Boolean),
  };
}

export const describeHub = (h: HubSetup) =>
  `hub ${path.relative(process.cwd(), h.main)} on ${h.pgUrl ? 'PostgreSQL' : 'SQLite'}, ` +
  `web ${h.webDir ? path.relative(process.cwd(), h.webDir) : 'off'}` +
  (h.nodeFlags.length ? `, node ${h.nodeFlags.join(' ')}` : '');

export interface Hub {
  base: string;
  pid: number;
  child: ChildProcess;
  /** When /health first answered (ms since the epoch). */
  readyAt: number;
  /** SIGTERM (SIGKILL after 15 s), then the data directory and database go. */
  stop(): Promise<void>;
  /** Bytes the hub wrote to its log file so far (0 unless started with `accessLog`). */
  logBytes(): number;
}

let databases = 0;

/** Creates a database of its own on the server at `adminUrl`; dropped at stop or on exit. */
export async function createDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  // Loaded here, not at the top: the bare servers are forks of the same bundle and should not
  // carry the pg driver in their RSS.
  const { Client } = await import('pg');
  const name = `tyto_bench_${process.pid}_${databases++}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  onCleanup(drop);
  return { url: url.toString(), drop };
}

/**
 * With --cpu-prof the profile is written only if the hub exits through process.exit or by
 * returning; NestJS's shutdown hooks re-raise SIGTERM after closing, which would kill it before
 * V8 writes the profile. This preload turns that second SIGTERM (or 10 s without one) into an exit.
 */
const PROFILE_PRELOAD = `let n = 0;
process.on('SIGTERM', () => {
  if (++n > 1) process.exit(0);
  setTimeout(() => process.exit(0), 10000).unref();
});
`;

export async function startHub(
  setup: HubSetup,
  opts: {
    sampleInterval?: number;
    cpuProfDir?: string | null;
    label?: string;
    /** Log at info (one access line per request), JSON to a file, as a production hub would. */
    accessLog?: boolean;
    /** More TYTO_* variables (e.g. TYTO_AGENT_PORT). */
    env?: Record<string, string>;
    /**
     * A database made by the caller (createDatabase) that several hubs share, as replicas do:
     * this hub neither creates nor drops one.
     */
    databaseUrl?: string;
  } = {},
): Promise<Hub> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-bench-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = opts.databaseUrl
    ? { url: opts.databaseUrl, drop: async () => undefined }
    : setup.pgUrl
      ? await createDatabase(setup.pgUrl)
      : null;
  // Only the variables set here: a TYTO_* left in the shell would change what is measured.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TYTO_')),
  );
  Object.assign(env, {
    TYTO_PORT: String(port),
    TYTO_HOST: '127.0.0.1',
    TYTO_DATA_DIR: dataDir,
    TYTO_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TYTO_LOG_LEVEL: opts.accessLog ? 'info' : 'warn',
    TYTO_LOG_FORMAT: 'json',
    TYTO_SAMPLE_INTERVAL: String(opts.sampleInterval ?? 1),
    TYTO_WEB_DIR: setup.webDir,
    // Its own agent listener port, so hubs of one run (or of two runs) never collide on 8443.
    TYTO_AGENT_PORT: String(await freePort()),
    ...(db ? { TYTO_DATABASE_URL: db.url } : {}),
    ...opts.env,
  });
  const logFile = path.join(dataDir, 'hub.log');
  const nodeArgs: string[] = [...setup.nodeFlags];
  if (opts.cpuProfDir) {
    const preload = path.join(dataDir, 'exit-on-sigterm.cjs');
    writeFileSync(preload, PROFILE_PRELOAD);
    nodeArgs.push(
      '--cpu-prof',
      `--cpu-prof-dir=${path.resolve(opts.cpuProfDir)}`,
      '--require',
      preload,
    );
  }
  const child = track(
    spawn(process.execPath, [...nodeArgs, setup.main], {
      env,
      // Access lines go to a file: piped here they would cost the load generator's own process.
      stdio: ['ignore', opts.accessLog ? openSync(logFile, 'a') : 'pipe', 'pipe'],
    }),
  );
  const label = opts.label ?? 'hub';
  const tail: string[] = [];
  const echo = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      console.error(`[${label}] ${line}`);
    }
  };
  child.stdout?.on('data', echo);
  child.stderr?.on('data', echo);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  };
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the hub exited (${child.signalCode ?? child.exitCode}) while starting:\n${tail.join('\n')}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`the hub did not answer GET /health within 90 s`);
      const ok = await request('GET', `${base}/health`, { timeoutMs: 2000 }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const logBytes = () => (existsSync(logFile) ? statSync(logFile).size : 0);
  return { base, pid: child.pid as number, child, readyAt: Date.now(), stop, logBytes };
}
