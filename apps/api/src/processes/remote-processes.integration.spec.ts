import {
  AgentCaResponseSchema,
  CreateAgentResponseSchema,
  type AuditListResponse,
  type ProcessDetail,
  type ProcessListResponse,
  type SignalResponse,
} from '@tyto/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentListenerService } from '../agents/listener/agent-listener.service';
import { SampleSources } from '../metrics/sample-source';
import { startAgent, type AgentProcess } from '../test/agent-process';
import { expectError, expectJson } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';

jest.setTimeout(240_000);

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** A real child process of the test that sleeps until signalled; its argv carries a secret. */
const spawnSleeper = (): ChildProcess =>
  spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', '--', '--api-token=t0p-s3cret', 'remote-arg'],
    { stdio: 'ignore' },
  );

const exitOf = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(DB_KINDS)('processes of a remote host through a real agent on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let agent: AgentProcess;
  const agents: AgentProcess[] = [];
  const children: ChildProcess[] = [];
  const REMOTE = 'proc-remote';
  const sleeper = () => {
    const c = spawnSleeper();
    children.push(c);
    return c;
  };

  /** Pre-registers `id`, starts a real agent process with its token and waits for its channel. */
  const enrollAgent = async (id: string, uid?: number): Promise<AgentProcess> => {
    const ca = AgentCaResponseSchema.parse(
      await (await hub.fetch('/api/v1/agents/ca', { token: admin })).json(),
    );
    const created = CreateAgentResponseSchema.parse(
      await expectJson(
        await hub.fetch('/api/v1/agents', { method: 'POST', token: admin, json: { id, name: id } }),
        201,
      ),
    );
    const stateDir = mkdtempSync(path.join(tmpdir(), `tyto-agent-${id}-`));
    if (uid !== undefined) chownSync(stateDir, uid, uid);
    const port = hub.app.get(AgentListenerService).port;
    const a = startAgent(
      [
        ...['--hub', `https://127.0.0.1:${port}`, '--ca-fingerprint', ca.fingerprint],
        ...['--id', id, '--state-dir', stateDir, '--interval', '1'],
        ...['--token', created.enrollment_token],
      ],
      { uid },
    );
    agents.push(a);
    await a.waitFor(/connected to the hub/, 60_000);
    const sources = hub.app.get(SampleSources);
    await until(`${id} connected`, async () => (sources.isConnected(id) ? true : undefined));
    return a;
  };

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    agent = await enrollAgent(REMOTE);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await hub.close();
  });

  const q = `?agent_id=${REMOTE}`;
  const detail = async (pid: number, query = q) =>
    expectJson<ProcessDetail>(
      await hub.fetch(`/api/v1/processes/${pid}${query}`, { token: admin }),
      200,
    );
  const signal = (pid: number | string, body: unknown, query = q) =>
    hub.fetch(`/api/v1/processes/${pid}/signal${query}`, {
      method: 'POST',
      token: admin,
      json: body,
    });
  const auditOf = async (pid: number | string) => {
    const { entries } = await expectJson<AuditListResponse>(
      await hub.fetch('/api/v1/audit?action=process.signal&limit=500', { token: admin }),
      200,
    );
    return entries.filter((e) => e.target === String(pid));
  };

  it('lists and describes the agent host’s processes, command lines redacted by the agent', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    const list = await until('the child in the agent’s list', async () => {
      const res = await expectJson<ProcessListResponse>(
        await hub.fetch(`/api/v1/processes${q}&sort=pid&order=asc&q=remote-arg`, {
          token: admin,
        }),
        200,
      );
      return res.processes.some((p) => p.pid === pid) ? res : undefined;
    });
    expect(list.agent_id).toBe(REMOTE);
    expect(list.total).toBeGreaterThan(1);
    const row = list.processes.find((p) => p.pid === pid);
    expect(row).toMatchObject({ pid, ppid: process.pid, name: 'node', user: 'root' });
    expect(row?.cmdline).toContain('--api-token=***');
    expect(JSON.stringify(list)).not.toContain('t0p-s3cret');
    // The agent's own process is on the list it sends.
    const all = await expectJson<ProcessListResponse>(
      await hub.fetch(`/api/v1/processes${q}&limit=10000`, { token: admin }),
      200,
    );
    expect(all.processes.map((p) => p.pid)).toContain(agent.child.pid);

    const d = await detail(pid);
    expect(d).toMatchObject({ agent_id: REMOTE, pid, name: 'node', nice: 0 });
    expect(typeof d.open_files).toBe('number');
    child.kill('SIGKILL');
    await exitOf(child);
    await expectError(
      await hub.fetch(`/api/v1/processes/${pid}${q}`, { token: admin }),
      404,
      'PROCESS_NOT_FOUND',
    );
  });

  it('stops, continues and terminates a real process through the agent', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    const { startTime } = await detail(pid);
    const stopped = await expectJson<SignalResponse>(
      await signal(pid, { signal: 'SIGSTOP', start_time: startTime }),
      200,
    );
    expect(stopped).toEqual({ agent_id: REMOTE, pid, name: 'node', signal: 'SIGSTOP', number: 19 });
    await until('state T', async () => ((await detail(pid)).state === 'T' ? true : undefined));
    await expectJson(await signal(pid, { signal: 18 }), 200);
    await until('running again', async () =>
      (await detail(pid)).state !== 'T' ? true : undefined,
    );
    const done = exitOf(child);
    await expectJson(await signal(pid, { signal: 'TERM', start_time: startTime }), 200);
    expect(await done).toBe('SIGTERM');
    await expectError(await signal(pid, { signal: 'SIGTERM' }), 404, 'PROCESS_NOT_FOUND');
  });

  it.each([
    ['SIGKILL', 'SIGKILL'],
    [1, 'SIGHUP'],
    ['SIGINT', 'SIGINT'],
  ])('sends %p through the agent, which ends the process with %s', async (sent, expected) => {
    const child = sleeper();
    const done = exitOf(child);
    await expectJson(await signal(child.pid as number, { signal: sent }), 200);
    expect(await done).toBe(expected);
  });

  it('refuses bad input with 400, the agent’s own pid, and a reused pid with 409', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    for (const bad of ['0', '1', '-1', '12a']) {
      await expectError(await signal(bad, { signal: 'SIGTERM' }), 400, 'VALIDATION_FAILED');
    }
    for (const body of [{ signal: 999 }, { signal: 'SIGKILL;id' }, { signal: 'SIGUSR1' }]) {
      await expectError(await signal(pid, body), 400, 'VALIDATION_FAILED');
    }
    // Not the hub's pid, so the hub asks; the agent refuses its own.
    const own = await expectError(
      await signal(agent.child.pid as number, { signal: 'SIGKILL' }),
      400,
      'PROCESS_PROTECTED',
    );
    expect(own.details).toEqual({ pid: agent.child.pid });
    expect(agent.child.exitCode).toBeNull();
    const reused = await expectError(
      await signal(pid, { signal: 'SIGKILL', start_time: '2001-02-03T04:05:06.000Z' }),
      409,
      'PROCESS_CHANGED',
    );
    expect(reused.details).toEqual({ pid });
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('is refused by the agent itself when the hub’s checks are bypassed', async () => {
    const sources = hub.app.get(SampleSources);
    const ask = (params: Record<string, unknown>) =>
      sources.command(REMOTE, 'process.signal', params, 10_000);
    for (const pid of [1, 0, -1, agent.child.pid as number]) {
      await expect(ask({ pid, signal: 'SIGKILL' })).resolves.toEqual({
        ok: false,
        reason: 'protected',
      });
    }
    const child = sleeper();
    await expect(ask({ pid: child.pid, signal: 'SIGSEGV' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { agent_code: 'VALIDATION_FAILED' },
    });
    await expect(ask({ pid: `${child.pid}; reboot`, signal: 'SIGKILL' })).rejects.toMatchObject({
      details: { agent_code: 'VALIDATION_FAILED' },
    });
    expect(agent.child.exitCode).toBeNull();
    expect(child.exitCode).toBeNull();
  });

  it('answers 503 AGENT_OFFLINE for an enrolled agent that is not connected, 404 for none', async () => {
    await expectJson(
      await hub.fetch('/api/v1/agents', {
        method: 'POST',
        token: admin,
        json: { id: 'proc-offline', name: 'never connects' },
      }),
      201,
    );
    await expectError(
      await hub.fetch('/api/v1/processes?agent_id=proc-offline', { token: admin }),
      503,
      'AGENT_OFFLINE',
    );
    await expectError(
      await hub.fetch('/api/v1/processes/1234?agent_id=proc-offline', { token: admin }),
      503,
      'AGENT_OFFLINE',
    );
    await expectError(
      await signal(1234, { signal: 'SIGTERM' }, '?agent_id=proc-offline'),
      503,
      'AGENT_OFFLINE',
    );
    await expectError(
      await hub.fetch('/api/v1/processes?agent_id=proc-nobody-knows', { token: admin }),
      404,
      'NOT_FOUND',
    );
    const [row] = await auditOf(1234);
    expect(row).toMatchObject({
      outcome: 'failure',
      status: 503,
      details: { agent_id: 'proc-offline', signal: 'SIGTERM', result: 'AGENT_OFFLINE' },
    });
  });

  it('audits every remote attempt with actor, host, pid, name, signal and result', async () => {
    const child = sleeper();
    const pid = child.pid as number;
    await signal(pid, { signal: 'SIGSTOP', start_time: '2001-02-03T04:05:06.000Z' });
    const done = exitOf(child);
    await signal(pid, { signal: 'SIGKILL' });
    await done;
    const rows = (await auditOf(pid)).reverse();
    expect(rows.map((r) => [r.actor_username, r.outcome, r.status, r.details])).toEqual([
      [
        'admin',
        'failure',
        409,
        {
          agent_id: REMOTE,
          pid: String(pid),
          name: 'node',
          signal: 'SIGSTOP',
          result: 'changed',
          code: 'PROCESS_CHANGED',
        },
      ],
      [
        'admin',
        'success',
        200,
        { agent_id: REMOTE, pid: String(pid), name: 'node', signal: 'SIGKILL', result: 'sent' },
      ],
    ]);
    const [own] = await auditOf(agent.child.pid as number);
    expect(own).toMatchObject({
      status: 400,
      details: { agent_id: REMOTE, result: 'protected', code: 'PROCESS_PROTECTED' },
    });
  });

  (asRoot ? it : it.skip)(
    'answers 403 SIGNAL_NOT_PERMITTED when the agent’s OS refuses (an agent running as nobody)',
    async () => {
      await enrollAgent('proc-nobody', NOBODY);
      const child = sleeper();
      const pid = child.pid as number;
      const d = await detail(pid, '?agent_id=proc-nobody');
      expect(d).toMatchObject({ agent_id: 'proc-nobody', user: 'root', open_files: null });
      const body = await expectError(
        await signal(pid, { signal: 'SIGKILL', start_time: d.startTime }, '?agent_id=proc-nobody'),
        403,
        'SIGNAL_NOT_PERMITTED',
      );
      expect(body.error).toContain('EPERM');
      expect(child.exitCode).toBeNull();
      const [row] = await auditOf(pid);
      expect(row).toMatchObject({
        status: 403,
        details: { agent_id: 'proc-nobody', name: 'node', result: 'permission' },
      });
    },
  );
});
