import {
  AgentCaResponseSchema,
  AgentSchema,
  CreateAgentResponseSchema,
  PendingEnrollmentListResponseSchema,
  type AuditListResponse,
  type HistoryResponse,
} from '@tyto/contracts';
import { createCa, createKeyAndCsr, issueClientCertificate, loadOrCreateCa } from '@tyto/pki';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { RollupJob } from '../../history/rollup.job';
import { SampleSources } from '../../metrics/sample-source';
import { agentBundleDir, startAgent, type AgentProcess } from '../../test/agent-process';
import {
  createTestDatabase,
  DB_KINDS,
  readSseEvents,
  startHub,
  type TestDatabase,
  type TestHub,
} from '../../test/hub';
import { AgentListenerService } from './agent-listener.service';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
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

// Fixed listener ports (channel's range) so the restarted hub is where the agent looks for it.
const AGENT_PORT = { sqlite: 18150, postgres: 18151 } as const;

describe.each(DB_KINDS)('agent channel end to end (%s)', (kind) => {
  let db: TestDatabase;
  let hub: TestHub;
  let token: string;
  let fingerprint: string;
  let hubUrl: string;
  const agents: AgentProcess[] = [];
  const stateDirs: Record<string, string> = {};

  const boot = async () => {
    hub = await startHub(
      kind,
      { TYTO_AGENT_PORT: String(AGENT_PORT[kind]), TYTO_DOWNLOADS_DIR: agentBundleDir() },
      db,
    );
    token = await hub.login();
    hubUrl = `https://127.0.0.1:${hub.app.get(AgentListenerService).port}`;
  };
  const api = async (pathname: string, init: Parameters<TestHub['fetch']>[1] = {}) =>
    hub.fetch(pathname, { token, ...init });
  const agentStatus = async (id: string) => {
    const res = await api(`/api/v1/agents/${id}`);
    return res.status === 200 ? AgentSchema.parse(await res.json()).status : null;
  };
  const spawnAgent = (id: string, extra: string[] = [], fp = fingerprint) => {
    stateDirs[id] ??= mkdtempSync(path.join(tmpdir(), `tyto-agent-${id}-`));
    const a = startAgent([
      '--hub',
      hubUrl,
      '--ca-fingerprint',
      fp,
      '--id',
      id,
      '--state-dir',
      stateDirs[id],
      '--interval',
      '1',
      ...extra,
    ]);
    agents.push(a);
    return a;
  };
  const preRegister = async (id: string) => {
    const res = await api('/api/v1/agents', { method: 'POST', json: { id, name: `Host ${id}` } });
    expect(res.status).toBe(201);
    return CreateAgentResponseSchema.parse(await res.json());
  };
  const history = async (id: string, from: string) => {
    const res = await api(`/api/v1/history?agent_id=${id}&resolution=raw&metrics=cpu&from=${from}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as HistoryResponse).data.map((p) => p.timestamp);
  };
  /** Opens the channel with a given certificate; resolves with how it ended before opening. */
  const tryChannel = (certPem: string, keyPem: string) =>
    new Promise<{ opened: boolean; status?: number; ws?: WebSocket }>((resolve) => {
      const ws = new WebSocket(`${hubUrl.replace('https', 'wss')}/channel`, {
        ca: readFileSync(path.join(db.dataDir, 'pki', 'ca.crt'), 'utf8'),
        cert: certPem,
        key: keyPem,
        handshakeTimeout: 5000,
      });
      ws.on('open', () => resolve({ opened: true, ws }));
      ws.on('unexpected-response', (_req, res) => {
        resolve({ opened: false, status: res.statusCode });
        ws.terminate();
      });
      ws.on('error', () => resolve({ opened: false }));
    });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await boot();
    const ca = AgentCaResponseSchema.parse(await (await api('/api/v1/agents/ca')).json());
    fingerprint = ca.fingerprint;
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await hub?.close();
    await db?.drop();
  });

  it('serves a self-contained tyto-agent.js that runs from an empty directory with plain node', async () => {
    const res = await hub.fetch('/downloads/tyto-agent.js');
    expect(res.status).toBe(200);
    const dir = mkdtempSync(path.join(tmpdir(), 'tyto-empty-'));
    const script = path.join(dir, 'tyto-agent.js');
    writeFileSync(script, Buffer.from(await res.arrayBuffer()));
    const once = startAgent(['--once', '--id', 'probe'], { script });
    const out: Buffer[] = [];
    once.child.stdout?.on('data', (c: Buffer) => out.push(c));
    expect(await once.exited).toBe(0);
    const sample = JSON.parse(Buffer.concat(out).toString('utf8')) as {
      agent_id: string;
      cpu: unknown;
    };
    expect(sample.agent_id).toBe('probe');
    expect(sample.cpu).toBeDefined();
    const install = await hub.fetch('/downloads/install.sh');
    expect(install.status).toBe(200);
    expect(await install.text()).toMatch(/systemd/);
    // Bad flags: one line and exit 2.
    const bad = startAgent(['--hub', 'ftp://x'], { script });
    expect(await bad.exited).toBe(2);
    expect(bad.lines).toHaveLength(1);
  });

  it('refuses a hub whose CA has another fingerprint', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const a = spawnAgent('wrong-fp', [], wrong);
    expect(await a.exited).toBe(3);
    expect(a.lines.join('\n')).toMatch(/fingerprint is sha256:[0-9a-f]{64}, expected sha256:0{64}/);
  });

  it('token flow: approves at once, comes online, samples reach the stream and history', async () => {
    const created = await preRegister('alpha');
    const started = new Date().toISOString();
    const a = spawnAgent('alpha', ['--token', created.enrollment_token]);
    await a.waitFor(/connected to the hub/);
    await until('alpha online', async () => (await agentStatus('alpha')) === 'online');
    const stream = await api('/api/v1/stream?agent_id=alpha');
    const events = (await readSseEvents(stream, 'metrics', 2)) as { agent_id: string }[];
    expect(events.length).toBe(2);
    expect(events.every((e) => e.agent_id === 'alpha')).toBe(true);
    const points = await until('alpha history', async () => {
      const p = await history('alpha', started);
      return p.length >= 2 ? p : null;
    });
    expect(points.length).toBeGreaterThanOrEqual(2);
    // The key never leaves 0600.
    expect(readdirSync(stateDirs['alpha'])).toEqual(
      expect.arrayContaining(['agent.key', 'agent.crt', 'ca.crt']),
    );
  });

  it('pending → approve → online; the interval and commands reach the agent', async () => {
    const a = spawnAgent('beta');
    await a.waitFor(/enrollment pending approval/);
    const list = PendingEnrollmentListResponseSchema.parse(
      await (await api('/api/v1/agents/pending')).json(),
    );
    const req = list.pending.find((p) => p.agent_id === 'beta');
    expect(req).toBeDefined();
    const ok = await api(`/api/v1/agents/pending/${req?.id}/approve`, { method: 'POST', json: {} });
    expect(ok.status).toBe(200);
    await a.waitFor(/connected to the hub/, 30_000);
    await until('beta online', async () => (await agentStatus('beta')) === 'online');

    const refresh = await api('/api/v1/settings/refresh', {
      method: 'POST',
      json: { interval: 2 },
    });
    expect(refresh.status).toBe(200);
    await a.waitFor(/interval set to 2 s/);
    const sources = hub.app.get(SampleSources);
    await expect(sources.command('beta', 'ping', {}, 5000)).resolves.toMatchObject({ pong: true });
    await expect(sources.command('beta', 'set_interval', { interval: 1 }, 5000)).resolves.toEqual({
      interval: 1,
    });
    await a.waitFor(/interval set to 1 s/);
    await expect(sources.command('beta', 'no-such-command', {}, 5000)).rejects.toThrow(
      /unknown command/,
    );
    await expect(sources.command('nobody', 'ping')).rejects.toMatchObject({
      code: 'AGENT_OFFLINE',
      status: 503,
    });
    // Back to 1 s for the tests after this one (beta is at 1 s already and logs nothing).
    const back = await api('/api/v1/settings/refresh', { method: 'POST', json: { interval: 1 } });
    expect(back.status).toBe(200);
  });

  it('reject: the agent stops with a clear status', async () => {
    const a = spawnAgent('gamma');
    await a.waitFor(/enrollment pending approval/);
    const list = PendingEnrollmentListResponseSchema.parse(
      await (await api('/api/v1/agents/pending')).json(),
    );
    const req = list.pending.find((p) => p.agent_id === 'gamma');
    expect(
      (await api(`/api/v1/agents/pending/${req?.id}/reject`, { method: 'POST', json: {} })).status,
    ).toBe(200);
    expect(await a.exited).toBe(4);
    expect(a.lines.join('\n')).toMatch(/ENROLLMENT_REJECTED/);
  });

  it("drops and audits samples claiming another agent's id; a new channel replaces the old", async () => {
    // A complete snapshot, as an agent would send it, but naming another agent.
    const once = startAgent(['--once', '--id', 'victim']);
    const out: Buffer[] = [];
    once.child.stdout?.on('data', (c: Buffer) => out.push(c));
    await once.exited;
    const forged = JSON.parse(Buffer.concat(out).toString('utf8')) as Record<string, unknown>;
    const dir = stateDirs['alpha'];
    const cert = readFileSync(path.join(dir, 'agent.crt'), 'utf8');
    const key = readFileSync(path.join(dir, 'agent.key'), 'utf8');
    const r = await tryChannel(cert, key);
    expect(r.opened).toBe(true);
    const ws = r.ws as WebSocket;
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        version: 't',
        hostname: 'h',
        os: 'linux',
        architecture: 'x64',
        interval: 1,
        dropped: 0,
        buffered: 0,
      }),
    );
    ws.send(JSON.stringify({ type: 'sample', seq: 10_000_000, sample: forged }));
    const audited = await until('impersonation audited', async () => {
      const res = await api('/api/v1/audit?action=agent.impersonation');
      const body = (await res.json()) as AuditListResponse;
      return body.entries.find((e) => e.target === 'victim') ?? null;
    });
    expect(audited.outcome).toBe('failure');
    expect(await history('victim', new Date(Date.now() - 60_000).toISOString())).toEqual([]);
    ws.close();
    // The real alpha was replaced by this channel and has reconnected since.
    await until('alpha back online', async () => (await agentStatus('alpha')) === 'online');
  });

  it('refuses certificates from another CA, self-signed, expired and not yet valid, and audits them', async () => {
    const hubCa = loadOrCreateCa(path.join(db.dataDir, 'pki'));
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const day = 86_400_000;
    const otherCa = createCa({ commonName: 'evil' });
    const cases: [string, string, string][] = [
      [
        'other CA',
        issueClientCertificate(otherCa, { agentId: 'alpha', publicKeyPem, days: 30 }).certPem,
        keyPem,
      ],
      ['self-signed', otherCa.certPem, otherCa.keyPem],
      [
        'expired',
        issueClientCertificate(hubCa, {
          agentId: 'alpha',
          publicKeyPem,
          days: 1,
          now: new Date(Date.now() - 10 * day),
        }).certPem,
        keyPem,
      ],
      [
        'not yet valid',
        issueClientCertificate(hubCa, {
          agentId: 'alpha',
          publicKeyPem,
          days: 30,
          now: new Date(Date.now() + 10 * day),
        }).certPem,
        keyPem,
      ],
    ];
    for (const [name, cert, key] of cases) {
      const r = await tryChannel(cert, key);
      expect({ name, opened: r.opened }).toEqual({ name, opened: false });
    }
    // A certificate issued by the right CA for the right id but not the agent's current one.
    const stray = issueClientCertificate(hubCa, { agentId: 'alpha', publicKeyPem, days: 30 });
    const r = await tryChannel(stray.certPem, keyPem);
    expect(r).toMatchObject({ opened: false, status: 403 });
    const audit = await until('handshakes audited', async () => {
      const body = (await (
        await api('/api/v1/audit?action=agent.handshake')
      ).json()) as AuditListResponse;
      return body.entries.length >= 5 ? body.entries : null;
    });
    expect(audit.every((e) => e.outcome === 'failure')).toBe(true);
  });

  it('revoke closes the live channel within 5 s and the next handshake is refused', async () => {
    const a = agents.find((x) =>
      x.lines.some((l) => /agent 'alpha' starting/.test(l)),
    ) as AgentProcess;
    const cert = readFileSync(path.join(stateDirs['alpha'], 'agent.crt'), 'utf8');
    const key = readFileSync(path.join(stateDirs['alpha'], 'agent.key'), 'utf8');
    const before = a.lines.length;
    const t0 = Date.now();
    expect((await api('/api/v1/agents/alpha/revoke', { method: 'POST', json: {} })).status).toBe(
      200,
    );
    await until(
      'alpha logs the revocation',
      async () =>
        a.lines.slice(before).some((l) => /certificate revoked, re-enrollment needed/.test(l)),
      5000,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    const r = await tryChannel(cert, key);
    expect(r.opened).toBe(false);
  });

  it('buffers while the hub is down and back-fills every sample exactly once, in order, with original timestamps', async () => {
    const created = await preRegister('delta');
    const a = spawnAgent('delta', ['--token', created.enrollment_token]);
    await a.waitFor(/connected to the hub/);
    const since = new Date(Date.now() - 5000).toISOString();
    await until('delta stored', async () => (await history('delta', since)).length >= 2);
    // Stop the hub (same database kept), let the agent run, start it again on the same port.
    await hub.app.close();
    const downFrom = Date.now();
    await a.waitFor(/channel closed|cannot reach the hub/);
    await sleep(6000);
    const downTo = Date.now();
    await boot();
    const connects = () => a.lines.filter((l) => /connected to the hub/.test(l)).length;
    await until('delta reconnected', async () => connects() >= 2, 90_000);

    // kill -9, a torn record at the tail of its buffer, restart: truncated, nothing lost.
    await sleep(2500);
    await a.kill('SIGKILL');
    const bufferDir = path.join(stateDirs['delta'], 'buffer');
    const last = readdirSync(bufferDir)
      .filter((f) => f.endsWith('.seg'))
      .sort()
      .at(-1) as string;
    appendFileSync(path.join(bufferDir, last), Buffer.from([0, 0, 0, 9, 1, 2, 3, 4, 0, 0]));
    const b = spawnAgent('delta');
    await b.waitFor(/truncated at \d+/);
    await b.waitFor(/connected to the hub/, 30_000);
    await sleep(3000);
    await b.kill('SIGTERM');

    const ds = hub.app.get(DataSource);
    const [{ last_seq }] = (await ds.query(
      `SELECT last_seq FROM agent_ingest WHERE agent_id = 'delta'`,
    )) as { last_seq: string }[];
    const ts = await history('delta', since);
    const times = ts.map((t) => Date.parse(t));
    // Exactly once: one stored point per sequence number, strictly increasing times.
    expect(times.length).toBe(Number(last_seq));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    // Original timestamps: the samples taken while the hub was down are there, a second apart.
    const during = times.filter((t) => t > downFrom + 500 && t < downTo - 500);
    expect(during.length).toBeGreaterThanOrEqual(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // No hole anywhere (a sample every second; the agent restart is the longest pause).
    expect(Math.max(...gaps)).toBeLessThan(6000);

    // The late samples are rolled up like live ones: the outage minute's 1m bucket is made of
    // every raw sample in it, the back-filled ones included.
    await hub.app.get(RollupJob).runOnce(Date.now() + 120_000);
    const outageMinute = Math.floor((downFrom + 3000) / 60_000) * 60_000;
    const q = (resolution: string) =>
      `/api/v1/history?agent_id=delta&resolution=${resolution}&metrics=cpu` +
      `&from=${new Date(outageMinute).toISOString()}&to=${new Date(outageMinute + 59_999).toISOString()}`;
    type Cpu = { cpu: { avg: number } | null; timestamp: string };
    const raw = ((await (await api(q('raw'))).json()) as { data: Cpu[] }).data.filter((p) => p.cpu);
    const backFilled = raw.filter((p) => {
      const t = Date.parse(p.timestamp);
      return t > downFrom && t < downTo;
    });
    expect(backFilled.length).toBeGreaterThan(0);
    // The bucket counts every raw sample of its minute (its weight for coarser tiers).
    const bucket = (await ds.query(
      `SELECT samples FROM history_1m WHERE agent_id = 'delta' AND ts = ${outageMinute}`,
    )) as { samples: number | string }[];
    expect(bucket.map((b) => Number(b.samples))).toEqual([raw.length]);
  });

  it('renews a certificate over the live channel; the old one is refused from then on', async () => {
    const dir = stateDirs['delta'];
    const oldCert = readFileSync(path.join(dir, 'agent.crt'), 'utf8');
    const oldKey = readFileSync(path.join(dir, 'agent.key'), 'utf8');
    const r = await tryChannel(oldCert, oldKey);
    expect(r.opened).toBe(true);
    const ws = r.ws as WebSocket;
    const renewed = new Promise<{ ok: boolean; certificate?: string }>((resolve) =>
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; ok: boolean; certificate?: string };
        if (msg.type === 'renewed') resolve(msg);
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        version: 't',
        hostname: 'h',
        os: 'linux',
        architecture: 'x64',
        interval: 1,
        dropped: 0,
        buffered: 0,
      }),
    );
    const { keyPem, csrPem } = createKeyAndCsr('delta');
    ws.send(JSON.stringify({ type: 'renew', id: 'r1', csr: csrPem }));
    const answer = await renewed;
    expect(answer.ok).toBe(true);
    const fresh = new X509Certificate(answer.certificate as string);
    expect(fresh.subject).toMatch(/CN=delta/);
    ws.close();
    expect(await tryChannel(oldCert, oldKey)).toMatchObject({ opened: false, status: 403 });
    const next = await tryChannel(answer.certificate as string, keyPem);
    expect(next.opened).toBe(true);
    next.ws?.close();
  });
});
