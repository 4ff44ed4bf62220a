import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
let bundleDir: string | null = null;

/**
 * Builds the real agent bundle (tools/build/build-agent.mjs, the same the api build runs) once
 * per test process and returns its directory (tyto-agent.js and install.sh).
 */
export function agentBundleDir(): string {
  if (bundleDir && existsSync(path.join(bundleDir, 'tyto-agent.js'))) return bundleDir;
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-bundle-'));
  execFileSync(process.execPath, ['tools/build/build-agent.mjs', dir], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  bundleDir = dir;
  return dir;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Every stderr line so far. */
  lines: string[];
  /** Resolves with the first line (past or future) matching, or rejects after the timeout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node tyto-agent.js ARGS` as a real process, from an empty working directory; with
 * `uid`, as that user (the test must run as root; the bundle and the directory are opened to it).
 */
export function startAgent(
  args: string[],
  opts: { script?: string; env?: NodeJS.ProcessEnv; uid?: number } = {},
): AgentProcess {
  const script = opts.script ?? path.join(agentBundleDir(), 'tyto-agent.js');
  const cwd = mkdtempSync(path.join(tmpdir(), 'tyto-agent-cwd-'));
  if (opts.uid !== undefined) {
    chmodSync(path.dirname(script), 0o755);
    chownSync(cwd, opts.uid, opts.uid);
  }
  // A clean environment: no NODE_PATH, no node_modules anywhere near the bundle.
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve(l: string): void }[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      if (process.env['TYTO_TEST_AGENT_LOG']) process.stderr.write(`[agent] ${line}\n`);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor(re, timeoutMs = 20_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`agent never logged ${re}; it logged:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
