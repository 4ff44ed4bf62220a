import {
  AgentCaResponseSchema,
  CreateAgentResponseSchema,
  type LogEntry,
  type LogListResponse,
} from '@tyto/contracts';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { AgentListenerService } from '../agents/listener/agent-listener.service';
import { agentBundleDir, startAgent, type AgentProcess } from '../test/agent-process';
import {
  createTestDatabase,
  DB_KINDS,
  readSseEvents,
  startHub,
  type TestDatabase,
  type TestHub,
} from '../test/hub';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// Fixed listener ports, so the restarted hub is where the agent looks for it.
const AGENT_PORT = { sqlite: 9710, postgres: 9711 } as const;
const AGENT = 'log-host';

describe.each(DB_KINDS)('remote logs over the agent channel (%s)', (kind) => {
  let db: TestDatabase;
  let hub: TestHub;
  let token: string;
  let fingerprint: string;
  let hubUrl: string;
  let dir: string;
  let stateDir: string;
  let logFile: string;
  const agents: AgentProcess[] = [];

  const boot = async () => {
    hub = await startHub(
      kind,
      {
        TYTO_AGENT_PORT: String(AGENT_PORT[kind]),
        TYTO_DOWNLOADS_DIR: agentBundleDir(),
        TYTO_LOG_JOURNAL: 'off',
        TYTO_LOG_DOCKER: 'off',
      },
      db,
    );
    token = await hub.login();
    hubUrl = `https://127.0.0.1:${hub.app.get(AgentListenerService).port}`;
  };
  const api = (pathname: string, init: Parameters<TestHub['fetch']>[1] = {}) =>
    hub.fetch(pathname, { token, ...init });
  const spawn = (extra: string[] = []) => {
    const a = startAgent([
      '--hub',
      hubUrl,
      '--ca-fingerprint',
      fingerprint,
      '--id',
      AGENT,
      '--state-dir',
      stateDir,
      '--interval',
      '5',
      '--log-files',
      logFile,
      '--log-journal',
      'off',
      '--log-docker',
      'off',
      ...extra,
    ]);
    agents.push(a);
    return a;
  };
  /** The agent's stored lines, oldest first. */
  const stored = async (): Promise<LogEntry[]> => {
    const res = await api(`/api/v1/logs?agent_id=${AGENT}&limit=1000`);
    expect(res.status).toBe(200);
    return ((await res.json()) as LogListResponse).entries.reverse();
  };
  const messages = async () => (await stored()).map((e) => e.message);
  const storedReaches = (want: string[]) =>
    until(`the hub to store ${want.length} lines`, async () => {
      const got = await messages();
      return got.length >= want.length ? got : null;
    });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-logs-'));
    stateDir = path.join(dir, 'state');
    logFile = path.join(dir, 'app.log');
    await boot();
    const ca = AgentCaResponseSchema.parse(await (await api('/api/v1/agents/ca')).json());
    fingerprint = ca.fingerprint;
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await hub?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships a line appended to a followed file to the query and the live tail', async () => {
    const res = await api('/api/v1/agents', { method: 'POST', json: { id: AGENT, name: 'Logs' } });
    expect(res.status).toBe(201);
    const created = CreateAgentResponseSchema.parse(await res.json());
    const a = spawn(['--token', created.enrollment_token]);
    // The file does not exist at the first scan, so it is read from its start once it appears.
    await a.waitFor(/does not exist \(yet\)/);
    await a.waitFor(/connected to the hub/);
    const tail = await api(`/api/v1/logs/stream?agent_id=${AGENT}`);
    expect(tail.status).toBe(200);
    const events = readSseEvents(tail, 'log', 1, 20_000);
    appendFileSync(logFile, 'ERROR first line from the agent\n');
    const [live] = (await events) as LogEntry[];
    expect(live).toMatchObject({
      agent_id: AGENT,
      source: 'file',
      source_name: logFile,
      level: 'error',
      message: 'ERROR first line from the agent',
    });
    const entries = await until('the line stored', async () => {
      const e = await stored();
      return e.length ? e : null;
    });
    expect(entries.map((e) => [e.agent_id, e.message])).toEqual([
      [AGENT, 'ERROR first line from the agent'],
    ]);
  });

  it('buffers while the hub is down and back-fills every line exactly once, in order', async () => {
    const a = agents[0];
    const want = ['ERROR first line from the agent'];
    await hub.app.close();
    await a.waitFor(/channel closed|cannot reach the hub/);
    for (let i = 1; i <= 30; i++) {
      const line = `while the hub is down ${i}`;
      appendFileSync(logFile, `${line}\n`);
      want.push(line);
      // Several reader batches, so several buffered records to back-fill in order.
      if (i % 10 === 0) await sleep(700);
    }
    await sleep(1000);
    await boot();
    const connects = () => a.lines.filter((l) => /connected to the hub/.test(l)).length;
    await until('the agent reconnected', async () => connects() >= 2, 90_000);
    await storedReaches(want);
    // A moment more: nothing arrives twice.
    await sleep(2000);
    expect(await messages()).toEqual(want);
    const ds = hub.app.get(DataSource);
    const marks = (await ds.query(
      `SELECT last_seq FROM log_ingest WHERE agent_id = '${AGENT}'`,
    )) as { last_seq: string | number }[];
    expect(Number(marks[0]?.last_seq)).toBeGreaterThanOrEqual(3);
  });

  it('an agent restart neither loses nor repeats lines', async () => {
    const want = await messages();
    await agents[0].kill('SIGTERM');
    appendFileSync(logFile, 'written while the agent was stopped\n');
    want.push('written while the agent was stopped');
    const b = spawn();
    await b.waitFor(/connected to the hub/, 30_000);
    appendFileSync(logFile, 'written after the restart\n');
    want.push('written after the restart');
    await storedReaches(want);
    await sleep(2000);
    expect(await messages()).toEqual(want);
    await b.kill('SIGTERM');
  });

  it('stores a batch sent again once, and takes the agent id from the certificate', async () => {
    const before = await messages();
    const ds = hub.app.get(DataSource);
    const [{ last_seq }] = (await ds.query(
      `SELECT last_seq FROM log_ingest WHERE agent_id = '${AGENT}'`,
    )) as { last_seq: string | number }[];
    const last = Number(last_seq);
    const ws = new WebSocket(`${hubUrl.replace('https', 'wss')}/channel`, {
      ca: readFileSync(path.join(stateDir, 'ca.crt'), 'utf8'),
      cert: readFileSync(path.join(stateDir, 'agent.crt'), 'utf8'),
      key: readFileSync(path.join(stateDir, 'agent.key'), 'utf8'),
    });
    const acks: number[] = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; seq?: number };
      if (msg.type === 'logs_ack') acks.push(msg.seq as number);
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        version: 't',
        hostname: 'h',
        os: 'linux',
        architecture: 'x64',
        interval: 5,
        dropped: 0,
        buffered: 0,
        logs_dropped: 0,
        logs_buffered: 1,
      }),
    );
    await until('the logs_ack of the hello', async () => acks.length >= 1);
    expect(acks[0]).toBe(last);
    const line = (message: string) => ({
      timestamp: new Date().toISOString(),
      source: 'file',
      source_name: '/srv/forged.log',
      level: 'info',
      message,
      // A field cannot speak for another host either: the entry's agent_id is the certificate's.
      fields: { agent_id: 'someone-else' },
    });
    const frame = JSON.stringify({
      type: 'logs',
      batches: [
        { seq: last, lines: [line('a repeat of a stored batch')] },
        { seq: last + 1, lines: [line('a new batch')] },
      ],
    });
    ws.send(frame);
    ws.send(frame);
    await until(
      'both frames acknowledged',
      async () => acks.filter((s) => s === last + 1).length >= 2,
    );
    ws.close();
    const after = await stored();
    expect(after.map((e) => e.message)).toEqual([...before, 'a new batch']);
    expect(after.at(-1)?.agent_id).toBe(AGENT);
    const someone = await api('/api/v1/logs?agent_id=someone-else');
    expect(((await someone.json()) as LogListResponse).total).toBe(0);
  });

  it("forgets a deleted agent's progress, so a re-enrolled one numbers from 1 again", async () => {
    const ds = hub.app.get(DataSource);
    const marks = async () =>
      (await ds.query(`SELECT last_seq FROM log_ingest WHERE agent_id = '${AGENT}'`)) as unknown[];
    expect(await marks()).toHaveLength(1);
    expect((await api(`/api/v1/agents/${AGENT}`, { method: 'DELETE' })).status).toBe(204);
    await until('the mark forgotten', async () => (await marks()).length === 0);
  });
});
