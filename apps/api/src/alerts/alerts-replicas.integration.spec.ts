import { HubBus } from '../common/bus';
import type { Alert, AlertEvent, AlertListResponse, Channel } from '@tyto/contracts';
import { DataSource } from 'typeorm';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { expectJson } from '../test/api';
import {
  createTestDatabase,
  DB_KINDS,
  startHub,
  type TestDatabase,
  type TestHub,
} from '../test/hub';
import { startWebhookReceiver, type WebhookReceiver } from '../test/receivers';
import { snapshot, type SampleValues } from '../test/samples';
import { AlertEvaluator, EVALUATE_LEASE } from './alert-evaluator.service';
import { NotificationsService } from './notifications.service';

jest.setTimeout(120_000);

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(DB_KINDS)('alert evaluation across restarts and replicas on %s', (kind) => {
  let db: TestDatabase;
  const hubs: TestHub[] = [];
  const receivers: WebhookReceiver[] = [];

  const boot = async () => {
    const h = await startHub(kind, {}, db);
    hubs.push(h);
    return { hub: h, token: await h.login() };
  };
  const close = async (h: TestHub) => {
    hubs.splice(hubs.indexOf(h), 1);
    await h.close();
  };
  const emitOn = async (h: TestHub, agent: string, values: Partial<SampleValues>) => {
    h.app.get(HubBus).publish(METRICS_SAMPLE, snapshot(agent, Date.now(), values));
    await h.app.get(AlertEvaluator).flush();
  };
  /** A renewal that starts now: one already under way (the 5 s timer's) may predate the change. */
  const renewNow = async (h: TestHub) => {
    await h.app.get(AlertEvaluator).renewLease();
    await h.app.get(AlertEvaluator).renewLease();
  };
  const post = (h: TestHub, token: string, path: string, json: unknown) =>
    h.fetch(path, { method: 'POST', token, json });
  const activeOf = async (h: TestHub, token: string, agent: string): Promise<Alert[]> =>
    (
      await expectJson<AlertListResponse>(
        await h.fetch(`/api/v1/alerts?agent_id=${agent}`, { token }),
        200,
      )
    ).alerts;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    for (const h of [...hubs]) await close(h);
    for (const r of receivers.splice(0)) await r.close();
    await db.drop();
  });

  it('keeps a pending `for` across a restart instead of starting it again', async () => {
    const host = `for-restart-${kind}`;
    const first = await boot();
    await post(first.hub, first.token, '/api/v1/alerts/rules', {
      type: 'host_offline',
      enabled: false,
    });
    await expectJson(
      await post(first.hub, first.token, '/api/v1/alerts/rules', { type: 'memory', for: 3 }),
      200,
    );
    await emitOn(first.hub, host, { memory: 90 });
    expect(await activeOf(first.hub, first.token, host)).toEqual([]);
    // The condition is watched for longer than `for` without a sample that would raise it here.
    await new Promise((r) => setTimeout(r, 3300));
    await close(first.hub);

    const second = await boot();
    expect(second.hub.app.get(AlertEvaluator).evaluating).toBe(true);
    // Started afresh, `for` would need 3 more seconds; carried over, the first sample raises.
    await emitOn(second.hub, host, { memory: 90 });
    const [alert] = await activeOf(second.hub, second.token, host);
    expect(alert).toMatchObject({ type: 'memory', level: 'warning', agent_id: host });

    // A condition that lapsed before the restart starts over.
    const lapsed = `${host}-lapsed`;
    await emitOn(second.hub, lapsed, { memory: 90 });
    await emitOn(second.hub, lapsed, { memory: 10 });
    await new Promise((r) => setTimeout(r, 3300));
    await close(second.hub);
    const third = await boot();
    await emitOn(third.hub, lapsed, { memory: 90 });
    expect(await activeOf(third.hub, third.token, lapsed)).toEqual([]);
  });

  it('lets one of two replicas evaluate and deliver, and the other take over when it stops', async () => {
    const host = `replicas-${kind}`;
    const r = await startWebhookReceiver();
    receivers.push(r);
    const a = await boot();
    await post(a.hub, a.token, '/api/v1/alerts/rules', { type: 'host_offline', enabled: false });
    await expectJson<Channel>(
      await post(a.hub, a.token, '/api/v1/alerts/channels', {
        name: 'replicas',
        type: 'webhook',
        url: r.url,
        agent_ids: [host],
      }),
      201,
    );
    const b = await boot();
    expect(a.hub.app.get(AlertEvaluator).evaluating).toBe(true);
    expect(b.hub.app.get(AlertEvaluator).evaluating).toBe(false);

    // With a bridged bus every replica sees every sample: both get the same one.
    const sample = snapshot(host, Date.now(), { memory: 99 });
    for (const { hub } of [a, b]) {
      hub.app.get(HubBus).publish(METRICS_SAMPLE, sample);
      await hub.app.get(AlertEvaluator).flush();
    }
    await until('the raise delivered', () => (r.received.length >= 1 ? true : undefined));
    await Promise.all([a, b].map(({ hub }) => hub.app.get(NotificationsService).drain()));
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(1);
    const active = await activeOf(b.hub, b.token, host);
    expect(active).toHaveLength(1);
    expect((JSON.parse(r.received[0].body) as AlertEvent).alert.id).toBe(active[0].id);

    // Acknowledged through the replica that does not evaluate: stored, and the evaluator adopts it.
    const acked = await expectJson<Alert>(
      await post(b.hub, b.token, `/api/v1/alerts/${active[0].id}/acknowledge`, {}),
      200,
    );
    expect(acked).toMatchObject({ id: active[0].id, acknowledged: true, acknowledged_by: 'admin' });
    await renewNow(a.hub);
    expect(
      a.hub.app
        .get(AlertEvaluator)
        .activeAlerts()
        .find((x) => x.id === active[0].id)?.acknowledged,
    ).toBe(true);

    // The evaluating replica stops (its leases are released): the other takes over with the state.
    await close(a.hub);
    const evaluator = b.hub.app.get(AlertEvaluator);
    await renewNow(b.hub);
    expect(evaluator.evaluating).toBe(true);
    await emitOn(b.hub, host, { memory: 99 });
    expect(await activeOf(b.hub, b.token, host)).toEqual([
      expect.objectContaining({ id: active[0].id, acknowledged: true }),
    ]);
    await emitOn(b.hub, host, { memory: 5 });
    await until('the clearing delivered by the other replica', async () => {
      await b.hub.app.get(NotificationsService).drain();
      return r.received.length >= 2 ? true : undefined;
    });
    const cleared = JSON.parse(r.received[1].body) as AlertEvent;
    expect(cleared).toMatchObject({ change: 'resolved', alert: { id: active[0].id } });
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(2);
  });

  it('stops evaluating at the first renewal after another replica took the lease', async () => {
    const host = `lease-lost-${kind}`;
    const { hub, token } = await boot();
    await post(hub, token, '/api/v1/alerts/rules', { type: 'host_offline', enabled: false });
    const evaluator = hub.app.get(AlertEvaluator);
    expect(evaluator.evaluating).toBe(true);
    // Another replica holds it now (this one stalled past the TTL, say).
    const ds = hub.app.get(DataSource);
    const p = kind === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
    await ds.query(
      `UPDATE job_leases SET holder = ${p[0]}, token = token + 1, expires_at = ${p[1]} WHERE name = ${p[2]}`,
      ['another-replica', new Date(Date.now() + 60_000).toISOString(), EVALUATE_LEASE],
    );
    await renewNow(hub);
    expect(evaluator.evaluating).toBe(false);
    await emitOn(hub, host, { memory: 99 });
    expect(await activeOf(hub, token, host)).toEqual([]);
    // Once it is free again this replica takes it back and evaluates.
    await ds.query(`UPDATE job_leases SET expires_at = ${p[0]} WHERE name = ${p[1]}`, [
      new Date(0).toISOString(),
      EVALUATE_LEASE,
    ]);
    await renewNow(hub);
    expect(evaluator.evaluating).toBe(true);
    await emitOn(hub, host, { memory: 99 });
    expect(await activeOf(hub, token, host)).toHaveLength(1);
  });
});
