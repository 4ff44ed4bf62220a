import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AgentCaResponseSchema,
  AgentSchema,
  CreateAgentResponseSchema,
  type HistoryResponse,
} from '@tyto/contracts';
import { Client } from 'pg';
import { startAgent, type AgentProcess } from './test/agent-process';
import { createTestDatabase, type TestDatabase } from './test/hub';
import { dropRedisKeys, TEST_REDIS_URL, testRedisPrefix } from './test/shared-redis';

// Two real hub processes (bundled from the current sources, run as `node main.js`) on one
// PostgreSQL database and the Redis on loopback, under a key prefix of this run's own. Agents
// reach them through a TCP relay standing in for the load balancer: it connects to the first
// replica that accepts, as Traefik's TCP service does once a server is down.
const root = path.resolve(__dirname, '../../..');
const bundle = path.join(root, 'tmp/replicas-spec/main.js');
const PASSWORD = 'replicas-spec-password';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
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

interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  agentPort: number;
  output: () => string;
  exited: Promise<number | null>;
  token: string;
}

/** A TCP relay to the first backend that accepts, in order. */
function relay(backends: () => number[]): Promise<{ server: Server; port: number }> {
  const server = createServer((client: Socket) => {
    client.pause();
    const tryNext = (i: number) => {
      const list = backends();
      if (i >= list.length) {
        client.destroy();
        return;
      }
      const upstream = connect(list[i], '127.0.0.1');
      upstream.once('error', () => tryNext(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryNext(0);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

/** An SSE stream that keeps every event it receives and says when the server ended it. */
function openStream(port: number, token: string, pathname: string) {
  const events: { event: string; data: unknown; at: number }[] = [];
  let ended = false;
  let req: http.ClientRequest;
  const opened = new Promise<number>((resolve, reject) => {
    req = http.get(
      { host: '127.0.0.1', port, path: pathname, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        resolve(res.statusCode ?? 0);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let sep: number;
          while ((sep = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, sep);
            buffer = buffer.slice(sep + 2);
            const lines = block.split('\n');
            const event = lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim();
            const data = lines
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trimStart())
              .join('\n');
            if (event) events.push({ event, data: JSON.parse(data), at: Date.now() });
          }
        });
        res.on('close', () => (ended = true));
      },
    );
    req.on('error', reject);
  });
  return {
    opened,
    events,
    get ended() {
      return ended;
    },
    close: () => req.destroy(),
  };
}

async function api(
  r: Replica,
  pathname: string,
  init: { method?: string; json?: unknown; token?: string } = {},
): Promise<Response> {
  return fetch(`http://127.0.0.1:${r.port}${pathname}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${init.token ?? r.token}`,
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

async function login(port: number, username = 'admin', password = PASSWORD): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login on ${port}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** `tyto_job_passes{job="…"}` of one replica. */
async function jobPasses(r: Replica, job: string): Promise<number> {
  const text = await (await api(r, '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`tyto_job_passes{job="${job}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('two hub replicas on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  const prefix = testRedisPrefix();
  const pkiDir = mkdtempSync(path.join(tmpdir(), 'tyto-replicas-pki-'));
  const dataDirs: string[] = [];
  const replicas: Replica[] = [];
  const agents: AgentProcess[] = [];
  let proxy: { server: Server; port: number };
  let a: Replica;
  let b: Replica;
  let fingerprint: string;

  async function launch(name: string): Promise<Omit<Replica, 'token'>> {
    const [port, agentPort] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(path.join(tmpdir(), `tyto-replica-${name}-`));
    dataDirs.push(dataDir);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TYTO_')),
    );
    const child = spawn(process.execPath, [bundle], {
      cwd: root,
      env: {
        ...env,
        TYTO_HOST: '127.0.0.1',
        TYTO_PORT: String(port),
        TYTO_AGENT_PORT: String(agentPort),
        TYTO_DATA_DIR: dataDir,
        TYTO_DATABASE_URL: db.databaseUrl ?? '',
        TYTO_REDIS_URL: TEST_REDIS_URL,
        TYTO_REDIS_PREFIX: prefix,
        TYTO_REPLICA_ID: name,
        TYTO_PKI_DIR: pkiDir,
        TYTO_ADMIN_PASSWORD: PASSWORD,
        TYTO_SAMPLE_INTERVAL: '1',
        TYTO_WEB_DIR: '',
        TYTO_DOWNLOADS_DIR: '',
        TYTO_LOG_JOURNAL: 'off',
        TYTO_LOG_DOCKER: 'off',
        TYTO_LOG_LEVEL: 'info',
        TYTO_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    return { name, child, port, agentPort, output: () => output, exited };
  }

  async function ready(r: Omit<Replica, 'token'>): Promise<Replica> {
    await until(
      `${r.name} ready`,
      async () => {
        if (r.child.exitCode !== null) throw new Error(`${r.name} exited:\n${r.output()}`);
        const res = await fetch(`http://127.0.0.1:${r.port}/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      60_000,
    );
    const replica = { ...r, token: await login(r.port) };
    replicas.push(replica);
    return replica;
  }

  const spawnAgent = (id: string, extra: string[] = []) => {
    const stateDir = mkdtempSync(path.join(tmpdir(), `tyto-ha-agent-${id}-`));
    const agent = startAgent([
      '--hub',
      `https://127.0.0.1:${proxy.port}`,
      '--ca-fingerprint',
      fingerprint,
      '--id',
      id,
      '--state-dir',
      stateDir,
      '--interval',
      '1',
      ...extra,
    ]);
    agents.push(agent);
    return agent;
  };

  const enroll = async (r: Replica, id: string) => {
    const res = await api(r, '/api/v1/agents', { json: { id, name: `Host ${id}` } });
    expect(res.status).toBe(201);
    const created = CreateAgentResponseSchema.parse(await res.json());
    const agent = spawnAgent(id, ['--token', created.enrollment_token]);
    await agent.waitFor(/connected to the hub/, 30_000);
    return agent;
  };

  beforeAll(async () => {
    mkdirSync(path.dirname(bundle), { recursive: true });
    execFileSync(
      process.execPath,
      ['tools/build/build-node.mjs', 'apps/api/src/main.ts', bundle, 'apps/api/tsconfig.app.json'],
      { cwd: root, stdio: 'pipe' },
    );
    db = await createTestDatabase('postgres');
    // Both replicas start at once against the empty database.
    const [ra, rb] = await Promise.all([launch('replica-a'), launch('replica-b')]);
    [a, b] = await Promise.all([ready(ra), ready(rb)]);
    // A first: the agents' channels end on A until it is gone.
    proxy = await relay(() =>
      [a, b]
        .filter((r) => r.child.exitCode === null && !r.child.signalCode)
        .map((r) => r.agentPort),
    );
    fingerprint = AgentCaResponseSchema.parse(
      await (await api(a, '/api/v1/agents/ca')).json(),
    ).fingerprint;
  }, 180_000);

  afterAll(async () => {
    if (process.env['TYTO_TEST_REPLICA_LOG']) {
      for (const r of replicas) process.stderr.write(`--- ${r.name}\n${r.output()}\n`);
    }
    await Promise.all(agents.map((x) => x.kill('SIGKILL')));
    for (const r of replicas) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    }
    await Promise.all(replicas.map((r) => r.exited));
    proxy?.server.close();
    await db?.drop();
    for (const d of [...dataDirs, pkiDir]) rmSync(d, { recursive: true, force: true });
    // This run's keys only: never FLUSH a shared Redis.
    await dropRedisKeys(prefix);
  });

  it('both come up on an empty database with the schema applied once, sharing one CA', async () => {
    const c = new Client({ connectionString: db.databaseUrl ?? '' });
    await c.connect();
    const rows = (await c.query('SELECT name, count(*)::int AS n FROM migrations GROUP BY name'))
      .rows as { name: string; n: number }[];
    await c.end();
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const caB = AgentCaResponseSchema.parse(await (await api(b, '/api/v1/agents/ca')).json());
    expect(caB.fingerprint).toBe(fingerprint);
    // A session opened on one replica is good on the other (one database).
    expect((await api(b, '/api/v1/auth/me', { token: a.token })).status).toBe(200);
  });

  it('an SSE client on B receives, within a second, the samples of an agent connected to A', async () => {
    await enroll(a, 'ha-one');
    // The relay prefers A: the agent's channel ends there.
    const onA = await until('ha-one online', async () => {
      const res = await api(b, '/api/v1/agents/ha-one');
      return res.status === 200 && AgentSchema.parse(await res.json()).status === 'online';
    });
    expect(onA).toBe(true);
    const stream = openStream(b.port, b.token, '/api/v1/stream?agent_id=ha-one');
    expect(await stream.opened).toBe(200);
    const samples = await until('3 samples of ha-one on B', () => {
      const got = stream.events.filter(
        (e) => e.event === 'metrics' && (e.data as { agent_id?: string }).agent_id === 'ha-one',
      );
      return got.length >= 3 ? got : null;
    });
    // Sample time (the agent's clock is this machine's) to arrival on B's stream.
    const delays = samples
      .slice(1)
      .map((e) => e.at - Date.parse((e.data as { timestamp: string }).timestamp));
    expect(Math.max(...delays)).toBeLessThan(1000);
    stream.close();
  });

  it('an interval set on B reaches the agent connected to A', async () => {
    const agent = agents[0];
    const res = await api(b, '/api/v1/settings/refresh', { json: { interval: 2 } });
    expect(res.status).toBe(200);
    await agent.waitFor(/interval set to 2 s/, 10_000);
    expect((await api(b, '/api/v1/settings/refresh', { json: { interval: 1 } })).status).toBe(200);
    await agent.waitFor(/interval set to 1 s/, 10_000);
  });

  it('a process signal sent on B reaches the agent connected to A, and its reply comes back', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const gone = new Promise<string | null>((resolve) =>
      child.once('exit', (_c, sig) => resolve(sig)),
    );
    try {
      const pid = child.pid as number;
      // The detail is relayed to A, which asks the agent; B answers with it.
      const detail = await until('the child in the agent list', async () => {
        const res = await api(b, `/api/v1/processes/${pid}?agent_id=ha-one`);
        return res.status === 200
          ? ((await res.json()) as { startTime: string; agent_id: string })
          : null;
      });
      expect(detail.agent_id).toBe('ha-one');
      const res = await api(b, `/api/v1/processes/${pid}/signal?agent_id=ha-one`, {
        json: { signal: 'SIGTERM', start_time: detail.startTime },
      });
      expect(res.status).toBe(200);
      expect(await gone).toBe('SIGTERM');
      // pid 1 is refused (by the hub, and by the agent were the hub's check bypassed).
      const refused = await api(b, '/api/v1/processes/1/signal?agent_id=ha-one', {
        json: { signal: 'SIGTERM' },
      });
      expect(refused.status).toBe(400);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('logout on A and disabling a user on A end their streams on B', async () => {
    const session = await login(a.port);
    const byLogout = openStream(b.port, session, '/api/v1/stream');
    expect(await byLogout.opened).toBe(200);
    const created = await api(a, '/api/v1/users', {
      json: { username: 'ha-viewer', password: 'ha-viewer-password', roles: ['viewer'] },
    });
    expect(created.status).toBe(201);
    const userId = ((await created.json()) as { id: string }).id;
    const viewer = await login(b.port, 'ha-viewer', 'ha-viewer-password');
    const byDisable = openStream(b.port, viewer, '/api/v1/stream');
    expect(await byDisable.opened).toBe(200);
    await sleep(500);
    expect(byLogout.ended || byDisable.ended).toBe(false);

    expect((await api(a, '/api/v1/auth/logout', { json: {}, token: session })).status).toBe(204);
    await until('the logged-out stream on B ends', () => byLogout.ended, 5_000);
    expect((await api(b, '/api/v1/auth/me', { token: session })).status).toBe(401);

    const disabled = await api(a, `/api/v1/users/${userId}`, {
      method: 'PUT',
      json: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    await until("the disabled user's stream on B ends", () => byDisable.ended, 5_000);
    expect((await api(b, '/api/v1/auth/me', { token: viewer })).status).toBe(401);
  });

  it('revoking on B closes the channel of an agent connected to A, and its next handshake fails', async () => {
    const agent = await enroll(a, 'ha-revoked');
    const revokedAt = Date.now();
    expect((await api(b, '/api/v1/agents/ha-revoked/revoke', { json: {} })).status).toBe(200);
    await agent.waitFor(/certificate revoked, re-enrollment needed/, 10_000);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    const res = await api(a, '/api/v1/agents/ha-revoked');
    expect(AgentSchema.parse(await res.json()).status).toBe('revoked');
  });

  it('runs each periodic job on one replica only', async () => {
    for (const job of ['history.rollup', 'metrics.local-sampler']) {
      const [pa, pb] = [await jobPasses(a, job), await jobPasses(b, job)];
      expect({ job, both: pa > 0 && pb > 0, none: pa + pb === 0 }).toEqual({
        job,
        both: false,
        none: false,
      });
    }
  });

  it('when A is killed the agent moves to B, back-fills with nothing lost or duplicated, and the leases move', async () => {
    const agent = agents[0];
    const samplerOnA = (await jobPasses(a, 'metrics.local-sampler')) > 0;
    const before = agent.lines.filter((l) => /connected to the hub/.test(l)).length;
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    await until(
      'ha-one reconnected through the relay',
      () => agent.lines.filter((l) => /connected to the hub/.test(l)).length > before,
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; the agent logged:\n${agent.lines.slice(-20).join('\n')}`);
    });
    // Let the back-fill and a few live samples through, then stop the agent (SIGTERM: it sends
    // what it has) so the stored count and the stored mark can be compared at rest.
    await sleep(4000);
    await agent.kill('SIGTERM');
    await sleep(1500);
    const c = new Client({ connectionString: db.databaseUrl ?? '' });
    await c.connect();
    const [{ last_seq }] = (
      await c.query(`SELECT last_seq FROM agent_ingest WHERE agent_id = 'ha-one'`)
    ).rows as { last_seq: string }[];
    await c.end();
    const res = await api(
      b,
      `/api/v1/history?agent_id=ha-one&resolution=raw&metrics=cpu&from=${new Date(
        killedAt - 600_000,
      ).toISOString()}`,
    );
    expect(res.status).toBe(200);
    const times = ((await res.json()) as HistoryResponse).data.map((p) => Date.parse(p.timestamp));
    // Exactly once: one stored point per sequence number, in order, with no hole.
    expect(times.length).toBe(Number(last_seq));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.max(...gaps)).toBeLessThan(4000);
    expect(times.filter((t) => t > killedAt + 500).length).toBeGreaterThan(0);

    // The local sampler's lease (three intervals) reaches B within one period of it.
    const passesB = await jobPasses(b, 'metrics.local-sampler');
    await until(
      'B samples `local`',
      async () => (await jobPasses(b, 'metrics.local-sampler')) > passesB,
      samplerOnA ? 8_000 : 3_000,
    );
  }, 120_000);
});
