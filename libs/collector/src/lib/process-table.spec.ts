import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { parseFullPidStat, ProcessTable } from './process-table';

const sleeper = (...args: string[]): ChildProcess =>
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', ...args], {
    stdio: 'ignore',
  });

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));

describe(ProcessTable.name, () => {
  const table = new ProcessTable();
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  describe('parseFullPidStat', () => {
    it('counts fields from the last parenthesis, whatever comm holds', () => {
      const line =
        '42 (a) b (c)) S 7 42 42 0 -1 4194560 100 0 0 0 30 12 0 0 20 5 3 0 1234 1000 250 rest\n';
      expect(parseFullPidStat(line)).toEqual({
        comm: 'a) b (c)',
        state: 'S',
        ppid: 7,
        ticks: 42,
        nice: 5,
        threads: 3,
        startTicks: 1234,
        rssPages: 250,
      });
    });

    it('refuses text that is not a stat line', () => {
      expect(parseFullPidStat('nonsense')).toBeNull();
    });
  });

  describe('list and detail', () => {
    it('shows a child process with its parent, redacted command line and open files', () => {
      const child = sleeper('--password=hunter2', 'token=abc123');
      children.push(child);
      const pid = child.pid as number;
      const row = table.list().find((p) => p.pid === pid);
      expect(row).toMatchObject({ pid, ppid: process.pid, name: 'node' });
      expect(row?.state).toMatch(/^[RS]$/);
      expect(row?.cmdline).toContain('--password=***');
      expect(row?.cmdline).toContain('token=***');
      expect(row?.cmdline).not.toContain('hunter2');
      const detail = table.detail(pid);
      expect(detail?.open_files).toBeGreaterThan(2);
      expect(detail?.startTime).toBe(row?.startTime);
      expect(Math.abs(Date.parse(detail?.startTime ?? '') - Date.now())).toBeLessThan(60_000);
    });

    it('answers null for a process that is gone', async () => {
      const child = sleeper();
      const pid = child.pid as number;
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
      expect(table.detail(pid)).toBeNull();
    });
  });

  describe('signal', () => {
    it('refuses pid 0, 1 and its own pid without sending anything', () => {
      for (const pid of [0, 1, -1, process.pid]) {
        expect(table.signal(pid, 'SIGTERM')).toEqual({ ok: false, reason: 'protected' });
      }
    });

    it('refuses a start time that is not the process’s (pid reuse)', () => {
      const child = sleeper();
      children.push(child);
      expect(table.signal(child.pid as number, 'SIGKILL', '2000-01-01T00:00:00.000Z')).toEqual({
        ok: false,
        reason: 'changed',
        name: 'node',
      });
      expect(child.exitCode).toBeNull();
    });

    // The OS's refusal is only seen by an unprivileged caller: run the real table, bundled, as
    // `nobody` against a root-owned process.
    const asNobody = process.getuid?.() === 0 ? it : it.skip;
    asNobody('answers `permission` when the OS refuses (EPERM), sending nothing', () => {
      const child = sleeper();
      children.push(child);
      const dir = mkdtempSync(path.join(tmpdir(), 'tyto-eperm-'));
      try {
        chmodSync(dir, 0o755);
        const script = path.join(dir, 'signal.js');
        buildSync({
          stdin: {
            contents: `import { ProcessTable } from ${JSON.stringify(path.join(__dirname, 'process-table.ts'))};
              process.stdout.write(JSON.stringify(new ProcessTable().signal(Number(process.argv[2]), 'SIGKILL')));`,
            resolveDir: __dirname,
            loader: 'ts',
          },
          bundle: true,
          platform: 'node',
          outfile: script,
          logLevel: 'silent',
        });
        const out = execFileSync(process.execPath, [script, String(child.pid)], {
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
        });
        expect(JSON.parse(out)).toEqual({ ok: false, reason: 'permission', name: 'node' });
        expect(child.exitCode).toBeNull();
        expect(child.signalCode).toBeNull();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('terminates a process whose start time matches', async () => {
      const child = sleeper();
      const detail = table.detail(child.pid as number);
      const done = exited(child);
      expect(table.signal(child.pid as number, 'SIGTERM', detail?.startTime)).toMatchObject({
        ok: true,
        name: 'node',
      });
      expect(await done).toBe('SIGTERM');
    });
  });
});
