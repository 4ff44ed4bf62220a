import { HubBus } from '../common/bus';
import type {
  Alert,
  AlertConfig,
  AlertListResponse,
  AlertRule,
  AlertRuleListResponse,
  Silence,
} from '@tyto/contracts';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { DB_KINDS, readSseEvents, startHub, type TestHub } from '../test/hub';
import { snapshot, type SampleValues } from '../test/samples';
import { AlertEvaluator } from './alert-evaluator.service';

const SEED_CONFIG: AlertConfig = {
  cpu: { warning: 80, critical: 95 },
  memory: { warning: 85, critical: 95 },
  disk: { warning: 80, critical: 90 },
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(DB_KINDS)('alerts on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    await createUser(hub, admin, { username: 'alert-viewer', roles: ['viewer'] });
    viewer = await hub.login('alert-viewer', USER_PASSWORD);
    // Every host a test feeds would go offline seconds later: only the offline test wants that.
    await expectJson(
      await post('/api/v1/alerts/rules', { type: 'host_offline', enabled: false }),
      200,
    );
  });
  afterAll(async () => {
    await hub.close();
  });

  /** Publishes a sample of `agent` on the bus, as the local sampler or an agent does. */
  const emit = async (agent: string, values: Partial<SampleValues>) => {
    hub.app.get(HubBus).publish(METRICS_SAMPLE, snapshot(agent, Date.now(), values));
    await hub.app.get(AlertEvaluator).flush();
  };
  const alertsOf = async (agent: string, state = 'active', token = viewer) =>
    (
      await expectJson<AlertListResponse>(
        await hub.fetch(`/api/v1/alerts?agent_id=${agent}&state=${state}`, { token }),
        200,
      )
    ).alerts;
  const post = (path: string, json: unknown, token = admin) =>
    hub.fetch(path, { method: 'POST', token, json });

  it('answers the seed’s shape with the default thresholds as config', async () => {
    const body = await expectJson<AlertListResponse>(
      await hub.fetch('/api/v1/alerts?agent_id=nobody', { token: viewer }),
      200,
    );
    expect(body).toEqual({ alerts: [], total: 0, config: SEED_CONFIG });
  });

  it('validates POST /alerts/config (0–100, warning ≤ critical) and persists it', async () => {
    for (const json of [
      { cpu: { warning: 96, critical: 95 } },
      { memory: { warning: 50, critical: 101 } },
      { disk: { warning: -1, critical: 90 } },
      { cpu: { warning: '80', critical: 95 } },
      { cpu: { warning: 80 } },
      { gpu: { warning: 1, critical: 2 } },
    ]) {
      await expectError(await post('/api/v1/alerts/config', json), 400, 'VALIDATION_FAILED');
    }
    await expectError(
      await post('/api/v1/alerts/config', { cpu: { warning: 70, critical: 90 } }, viewer),
      403,
      'FORBIDDEN',
    );
    const cfg = await expectJson<AlertConfig>(
      await post('/api/v1/alerts/config', { cpu: { warning: 70, critical: 90 } }),
      200,
    );
    expect(cfg.cpu).toEqual({ warning: 70, critical: 90 });
    const listed = await expectJson<AlertListResponse>(
      await hub.fetch('/api/v1/alerts', { token: viewer }),
      200,
    );
    expect(listed.config).toEqual({ ...SEED_CONFIG, cpu: { warning: 70, critical: 90 } });
    await post('/api/v1/alerts/config', { cpu: SEED_CONFIG.cpu });
  });

  it('raises one alert per subject, escalates it, resolves it, and keeps the history', async () => {
    const host = `it-cycle-${kind}`;
    await emit(host, { memory: 86 });
    await emit(host, { memory: 86 });
    const [raised] = await alertsOf(host);
    expect(raised).toMatchObject({
      type: 'memory',
      level: 'warning',
      value: 86,
      threshold: 85,
      agent_id: host,
      subject: '',
      acknowledged: false,
      resolved_at: null,
      silenced: false,
    });
    expect(await alertsOf(host)).toHaveLength(1);

    await emit(host, { memory: 97 });
    const [up] = await alertsOf(host);
    expect(up).toMatchObject({ id: raised.id, level: 'critical', threshold: 95 });

    await emit(host, { memory: 30 });
    expect(await alertsOf(host)).toEqual([]);
    const [done] = await alertsOf(host, 'resolved');
    expect(done.id).toBe(raised.id);
    expect(Date.parse(done.resolved_at ?? '')).toBeGreaterThan(Date.parse(done.created_at) - 1);

    const filtered = await expectJson<AlertListResponse>(
      await hub.fetch(
        `/api/v1/alerts?state=all&agent_id=${host}&level=critical&type=memory&limit=1`,
        {
          token: viewer,
        },
      ),
      200,
    );
    expect(filtered.total).toBe(1);
    await expectError(
      await hub.fetch('/api/v1/alerts?state=bogus', { token: viewer }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('records who acknowledged, refuses viewers, and 409s a resolved alert', async () => {
    const host = `it-ack-${kind}`;
    await emit(host, { cpu: 99 });
    const [a] = await alertsOf(host);
    await expectError(
      await post(`/api/v1/alerts/${a.id}/acknowledge`, {}, viewer),
      403,
      'FORBIDDEN',
    );
    const acked = await expectJson<Alert>(
      await post(`/api/v1/alerts/${a.id}/acknowledge`, {}),
      200,
    );
    expect(acked).toMatchObject({ id: a.id, acknowledged: true, acknowledged_by: 'admin' });
    expect((await alertsOf(host))[0]).toMatchObject({
      acknowledged: true,
      acknowledged_by: 'admin',
    });
    await emit(host, { cpu: 1 });
    await expectError(await post(`/api/v1/alerts/${a.id}/acknowledge`, {}), 409, 'CONFLICT');
    await expectError(await post('/api/v1/alerts/no-such-alert/acknowledge', {}), 404, 'NOT_FOUND');
  });

  it('pushes `event: alert` on the SSE stream to holders of alerts:view', async () => {
    const host = `it-sse-${kind}`;
    // The hub's own host may raise or clear alerts meanwhile: only this host's events count.
    const ofHost = async (path: string) => {
      const abort = new AbortController();
      const res = await hub.fetch(path, { token: viewer, signal: abort.signal });
      // Read for 3 s, then cut the stream (it would otherwise wait for the next keep-alive).
      setTimeout(() => abort.abort(), 3500);
      const events = readSseEvents(res, 'alert', 100, 3000);
      await new Promise((r) => setTimeout(r, 300));
      await emit(host, { rootUsed: 85 });
      await emit(host, { rootUsed: 10 });
      return ((await events) as { change: string; alert: Alert; active: number }[]).filter(
        (e) => e.alert.agent_id === host,
      );
    };
    expect(await ofHost('/api/v1/alerts/stream')).toHaveLength(2);
    const got = await ofHost('/api/v1/stream?agent_id=nobody');
    expect(got.map((e) => [e.change, e.alert.type, e.alert.subject, e.alert.agent_id])).toEqual([
      ['raised', 'disk', '/', host],
      ['resolved', 'disk', '/', host],
    ]);
    expect(typeof got[0].active).toBe('number');
  });

  it('sets rules per type and per host, and refuses bad ones', async () => {
    const host = `it-rules-${kind}`;
    const rule = await expectJson<AlertRule>(
      await post('/api/v1/alerts/rules', {
        type: 'memory',
        agent_id: host,
        warning: 50,
        critical: 60,
        for: 0,
      }),
      200,
    );
    expect(rule).toMatchObject({ id: `memory@${host}`, agent_id: host, warning: 50, critical: 60 });
    await emit(host, { memory: 55 });
    expect((await alertsOf(host))[0]).toMatchObject({ type: 'memory', threshold: 50 });
    await emit(`${host}-other`, { memory: 55 });
    expect(await alertsOf(`${host}-other`)).toEqual([]);

    for (const json of [
      { type: 'memory', warning: 101 },
      { type: 'memory', warning: 90, critical: 80 },
      { type: 'memory', agent_id: host, warning: 70 },
      { type: 'container', warning: 1 },
      { type: 'cpu', intervals: 4 },
      { type: 'nope' },
      { type: 'load', for: -1 },
    ]) {
      await expectError(await post('/api/v1/alerts/rules', json), 400, 'VALIDATION_FAILED');
    }
    const { rules } = await expectJson<AlertRuleListResponse>(
      await hub.fetch('/api/v1/alerts/rules', { token: viewer }),
      200,
    );
    expect(rules.filter((r) => r.agent_id === null)).toHaveLength(12);
    expect(rules.find((r) => r.id === 'host_offline')).toMatchObject({
      intervals: 3,
      level: 'critical',
    });

    const del = await hub.fetch(`/api/v1/alerts/rules/memory@${host}`, {
      method: 'DELETE',
      token: admin,
    });
    expect(del.status).toBe(204);
    await emit(host, { memory: 55 });
    expect(await alertsOf(host)).toEqual([]);
    expect(
      (await hub.fetch('/api/v1/alerts/rules/memory@nobody', { method: 'DELETE', token: admin }))
        .status,
    ).toBe(404);
  });

  it('raises host_offline after 3 missed intervals and resolves it when samples return', async () => {
    const host = `it-offline-${kind}`;
    await expectJson(
      await post('/api/v1/alerts/rules', { type: 'host_offline', agent_id: host, enabled: true }),
      200,
    );
    await emit(host, {});
    const [down] = await until('host_offline', async () => {
      const list = await alertsOf(host);
      return list.length ? list : undefined;
    });
    expect(down).toMatchObject({ type: 'host_offline', level: 'critical' });
    expect(down.value).toBeGreaterThanOrEqual(3);
    await emit(host, {});
    expect(await alertsOf(host)).toEqual([]);
  });

  it('records silences with author, and marks alerts raised inside one', async () => {
    const host = `it-silence-${kind}`;
    await expectError(
      await post('/api/v1/alerts/silences', { ends_at: '2000-01-01T00:00:00Z', reason: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await post('/api/v1/alerts/silences', {
        ends_at: new Date(Date.now() + 60_000).toISOString(),
        reason: 'a\u0000b',
      }),
      400,
      'VALIDATION_FAILED',
    );
    const s = await expectJson<Silence>(
      await post('/api/v1/alerts/silences', {
        agent_id: host,
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        reason: 'kernel upgrade',
      }),
      201,
    );
    expect(s).toMatchObject({
      agent_id: host,
      reason: 'kernel upgrade',
      created_by: 'admin',
      active: true,
    });
    await emit(host, { swap: 99 });
    expect((await alertsOf(host))[0]).toMatchObject({ type: 'swap', silenced: true });
    await emit(`${host}-b`, { swap: 99 });
    expect((await alertsOf(`${host}-b`))[0]).toMatchObject({ silenced: false });
    const del = await hub.fetch(`/api/v1/alerts/silences/${s.id}`, {
      method: 'DELETE',
      token: admin,
    });
    expect(del.status).toBe(204);
  });
});
