import type {
  AuditListResponse,
  ProcessDetail,
  ProcessListResponse,
  SignalResponse,
} from '@tyto/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';
import { unprivilegedHost } from '../test/unprivileged-host';
import { ProcessesService } from './processes.service';

/** A real child process that sleeps until signalled; its argv carries a secret to redact. */
const spawnSleeper = (): ChildProcess =>
  spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', '--', '--db-password=s3cr3t-value', 'plain-arg'],
    { stdio: 'ignore' },
  );

const exitOf = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DB_KINDS)('processes on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let viewer: string;
  const children: ChildProcess[] = [];
  const sleeper = () => {
    const c = spawnSleeper();
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    await createUser(hub, admin, { username: 'proc-viewer', roles: ['viewer'] });
    viewer = await hub.login('proc-viewer', USER_PASSWORD);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await hub.close();
  });

  const detail = async (pid: number) =>
    expectJson<ProcessDetail>(await hub.fetch(`/api/v1/processes/${pid}`, { token: admin }), 200);
  const signal = (pid: number | string, body: unknown, token = admin, query = '') =>
    hub.fetch(`/api/v1/processes/${pid}/signal${query}`, { method: 'POST', token, json: body });
  const auditOf = async (pid: number | string) => {
    const { entries } = await expectJson<AuditListResponse>(
      await hub.fetch('/api/v1/audit?action=process.signal&limit=500', { token: admin }),
      200,
    );
    return entries.filter((e) => e.target === String(pid));
  };

  it('lists the host’s processes sorted, searchable, with redacted command lines', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    const all = await until('the child in the list', async () => {
      const res = await expectJson<ProcessListResponse>(
        await hub.fetch('/api/v1/processes?sort=pid&order=asc', { token: viewer }),
        200,
      );
      return res.processes.some((p) => p.pid === pid) ? res : undefined;
    });
    // The search looks at the redacted text: the secret itself matches nothing.
    const secret = await expectJson<ProcessListResponse>(
      await hub.fetch('/api/v1/processes?q=s3cr3t', { token: viewer }),
      200,
    );
    expect(secret.processes).toEqual([]);
    const byArg = await expectJson<ProcessListResponse>(
      await hub.fetch('/api/v1/processes?q=plain-arg', { token: viewer }),
      200,
    );
    expect(byArg.processes.map((p) => p.pid)).toContain(pid);
    expect(all.agent_id).toBe('local');
    expect(all.total).toBeGreaterThan(1);
    const pids = all.processes.map((p) => p.pid);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    const row = all.processes.find((p) => p.pid === pid);
    expect(row).toMatchObject({ pid, ppid: process.pid, name: 'node', user: 'root' });
    expect(row?.cmdline).toContain('--db-password=***');
    expect(row?.cmdline).toContain('plain-arg');
    expect(JSON.stringify(all)).not.toContain('s3cr3t-value');

    const byMemory = await expectJson<ProcessListResponse>(
      await hub.fetch('/api/v1/processes?sort=memory&limit=5&q=node', { token: viewer }),
      200,
    );
    expect(byMemory.processes.length).toBeLessThanOrEqual(5);
    const mem = byMemory.processes.map((p) => p.memory);
    expect(mem).toEqual([...mem].sort((a, b) => b - a));
    expect(byMemory.processes.every((p) => /node/i.test(p.name + p.cmdline))).toBe(true);
  });

  it('describes one process with the seed’s fields, parent, nice and open files', async () => {
    const child = sleeper();
    // Node starts its worker threads a moment after exec.
    const d = await until('node up', async () => {
      const got = await detail(child.pid as number);
      return got.threads > 1 ? got : undefined;
    });
    expect(d).toEqual({
      agent_id: 'local',
      pid: child.pid,
      ppid: process.pid,
      name: 'node',
      cmdline: expect.stringContaining('--db-password=***') as string,
      user: 'root',
      state: expect.stringMatching(/^[RS]$/) as string,
      cpu: expect.any(Number) as number,
      memory: expect.any(Number) as number,
      threads: expect.any(Number) as number,
      nice: 0,
      startTime: expect.any(String) as string,
      open_files: expect.any(Number) as number,
    });
    expect(d.memory).toBeGreaterThan(1_000_000);
    expect(Math.abs(Date.parse(d.startTime) - Date.now())).toBeLessThan(60_000);
  });

  it('stops, continues and terminates a real process, by name and by number', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    const { startTime } = await detail(pid);
    const stopped = await expectJson<SignalResponse>(
      await signal(pid, { signal: 'SIGSTOP', start_time: startTime }),
      200,
    );
    expect(stopped).toEqual({
      agent_id: 'local',
      pid,
      name: 'node',
      signal: 'SIGSTOP',
      number: 19,
    });
    await until('state T', async () => ((await detail(pid)).state === 'T' ? true : undefined));

    await expectJson(await signal(pid, { signal: 18 }), 200);
    await until('running again', async () =>
      (await detail(pid)).state !== 'T' ? true : undefined,
    );

    const done = exitOf(child);
    await expectJson(await signal(pid, { signal: 15, start_time: startTime }), 200);
    expect(await done).toBe('SIGTERM');
    await expectError(
      await hub.fetch(`/api/v1/processes/${pid}`, { token: admin }),
      404,
      'PROCESS_NOT_FOUND',
    );
    await expectError(await signal(pid, { signal: 'SIGTERM' }), 404, 'PROCESS_NOT_FOUND');
  });

  it.each([
    ['SIGKILL', 'SIGKILL'],
    [9, 'SIGKILL'],
    ['hup', 'SIGHUP'],
    [2, 'SIGINT'],
  ])('sends %p, which ends the process with %s', async (sent, expected) => {
    const child = sleeper();
    const done = exitOf(child);
    await expectJson(await signal(child.pid as number, { signal: sent }), 200);
    expect(await done).toBe(expected);
  });

  it('refuses bad pids and signals with 400, sending nothing', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    for (const bad of ['0', '1', '-1', '12a', '1e3', '4194305']) {
      await expectError(await signal(bad, { signal: 'SIGTERM' }), 400, 'VALIDATION_FAILED');
    }
    await expectError(await signal(process.pid, { signal: 'SIGTERM' }), 400, 'PROCESS_PROTECTED');
    for (const body of [
      { signal: 999 },
      { signal: 'SIGKILL;id' },
      { signal: 'SIGUSR1' },
      { signal: 11 },
      { signal: '9' },
      { signal: 'SIGTERM', start_time: 'yesterday' },
      { signal: 'SIGTERM', extra: true },
      {},
    ]) {
      await expectError(await signal(pid, body), 400, 'VALIDATION_FAILED');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('refuses a pid that now names another process (start time differs) with 409', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    const body = await expectError(
      await signal(pid, { signal: 'SIGKILL', start_time: '2001-02-03T04:05:06.000Z' }),
      409,
      'PROCESS_CHANGED',
    );
    expect(body.details).toEqual({ pid });
    expect((await detail(pid)).state).not.toBe('Z');
    expect(child.exitCode).toBeNull();
  });

  it('refuses a viewer with 403 and an unknown host with 404', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    await expectError(await signal(pid, { signal: 'SIGKILL' }, viewer), 403, 'FORBIDDEN');
    await expectError(
      await signal(pid, { signal: 'SIGKILL' }, admin, '?agent_id=no-such-host'),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await hub.fetch(`/api/v1/processes?agent_id=no-such-host`, { token: viewer }),
      404,
      'NOT_FOUND',
    );
    expect(child.exitCode).toBeNull();
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot(
    'answers 403 SIGNAL_NOT_PERMITTED when the host’s OS refuses (EPERM), and audits it',
    async () => {
      // A host whose process table runs as `nobody`, plugged in through the ProcessControl port.
      const nobody = unprivilegedHost();
      try {
        hub.app
          .get(ProcessesService)
          .register((id) => (id === 'unprivileged' ? nobody.control : null));
        const child = sleeper();
        const pid = child.pid as number;
        const d = await expectJson<ProcessDetail>(
          await hub.fetch(`/api/v1/processes/${pid}?agent_id=unprivileged`, { token: admin }),
          200,
        );
        expect(d).toMatchObject({ agent_id: 'unprivileged', pid, user: 'root', open_files: null });
        const body = await expectError(
          await signal(
            pid,
            { signal: 'SIGKILL', start_time: d.startTime },
            admin,
            '?agent_id=unprivileged',
          ),
          403,
          'SIGNAL_NOT_PERMITTED',
        );
        expect(body.error).toContain('EPERM');
        expect(child.exitCode).toBeNull();
        const [row] = await auditOf(pid);
        expect(row).toMatchObject({
          status: 403,
          details: {
            agent_id: 'unprivileged',
            name: 'node',
            signal: 'SIGKILL',
            result: 'permission',
          },
        });
      } finally {
        nobody.dispose();
      }
    },
  );

  it('audits every attempt with actor, host, pid, name, signal and result', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    await signal(pid, { signal: 'SIGKILL;id' });
    await signal(pid, { signal: 'SIGSTOP', start_time: '2001-02-03T04:05:06.000Z' });
    await signal(pid, { signal: 'SIGKILL' }, viewer);
    const done = exitOf(child);
    await signal(pid, { signal: 'SIGKILL' });
    await done;
    await signal('1', { signal: 'SIGKILL' });

    const rows = (await auditOf(pid)).reverse();
    expect(rows.map((r) => [r.actor_username, r.outcome, r.status, r.details])).toEqual([
      [
        'admin',
        'failure',
        400,
        {
          agent_id: 'local',
          pid: String(pid),
          signal: 'SIGKILL;id',
          result: 'VALIDATION_FAILED',
          code: 'VALIDATION_FAILED',
        },
      ],
      [
        'admin',
        'failure',
        409,
        {
          agent_id: 'local',
          pid: String(pid),
          name: 'node',
          signal: 'SIGSTOP',
          result: 'changed',
          code: 'PROCESS_CHANGED',
        },
      ],
      // Refused by the guard before the handler: actor, target and code, no more is known.
      ['proc-viewer', 'failure', 403, { code: 'FORBIDDEN' }],
      [
        'admin',
        'success',
        200,
        { agent_id: 'local', pid: String(pid), name: 'node', signal: 'SIGKILL', result: 'sent' },
      ],
    ]);
    const init = await auditOf(1);
    expect(init[0]).toMatchObject({ outcome: 'failure', status: 400, details: { pid: '1' } });
  });
});
