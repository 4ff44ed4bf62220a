import { EventEmitter2 } from '@nestjs/event-emitter';
import { SettingsResponseSchema } from '@tyto/contracts';
import { LatestSamplesService } from '../metrics/latest-samples.service';
import { LocalSamplerService } from '../metrics/local-sampler.service';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import {
  createTestDatabase,
  DB_KINDS,
  startHub,
  type TestDatabase,
  type TestHub,
} from '../test/hub';
import { SETTINGS_INTERVAL } from './settings.events';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Local samples published on the bus during `ms`. */
async function samplesDuring(hub: TestHub, ms: number): Promise<number> {
  const bus = hub.app.get(EventEmitter2);
  let n = 0;
  const count = (s: { agent_id: string }) => {
    if (s.agent_id === 'local') n++;
  };
  bus.on(METRICS_SAMPLE, count);
  await sleep(ms);
  bus.off(METRICS_SAMPLE, count);
  return n;
}

describe.each(DB_KINDS)('settings on %s', (kind) => {
  let db: TestDatabase;
  let hub: TestHub;
  let admin: string;
  // An hour between samples: after the one at boot, none arrive unless the change takes effect.
  const slow = { TYTO_SAMPLE_INTERVAL: '3600' };

  const refresh = (body: unknown, token = admin) =>
    hub.fetch('/api/v1/settings/refresh', { method: 'POST', token, json: body });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    hub = await startHub(kind, slow, db);
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
    await db.drop();
  });

  it('reports the interval from TYTO_SAMPLE_INTERVAL and the retention of each tier', async () => {
    const res = await hub.fetch('/api/v1/settings', { token: admin });
    expect(res.status).toBe(200);
    expect(SettingsResponseSchema.strict().parse(await res.json())).toEqual({
      refresh_interval: 3600,
      retention: { raw: 86400, '1m': 604800, '5m': 2592000, '1h': 31536000 },
      password_min_length: 12,
    });
  });

  it.each([[0], [3601], [2.5], ['5'], [null]])('refuses interval %p with 400', async (interval) => {
    const res = await refresh({ interval });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('changes the sampling interval live and publishes it', async () => {
    // The sample taken at boot can take a moment; after it, an hour of silence.
    const latest = hub.app.get(LatestSamplesService);
    for (let i = 0; i < 300 && !latest.get('local'); i++) await sleep(50);
    expect(latest.get('local')).toBeDefined();
    expect(await samplesDuring(hub, 1500)).toBe(0);
    const published: unknown[] = [];
    hub.app.get(EventEmitter2).on(SETTINGS_INTERVAL, (e: unknown) => published.push(e));

    const res = await refresh({ interval: 1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ refresh_interval: 1 });
    expect(published).toEqual([{ interval: 1 }]);
    expect(hub.app.get(LocalSamplerService).interval).toBe(1);
    expect(await samplesDuring(hub, 3500)).toBeGreaterThanOrEqual(2);
  });

  it('records the change in the audit log under its own action', async () => {
    const res = await hub.fetch('/api/v1/audit?action=settings.refresh', { token: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      entries: { action: string; outcome: string; details: Record<string, unknown> }[];
    };
    expect(body.entries.map((e) => [e.action, e.outcome])).toEqual(
      expect.arrayContaining([
        ['settings.refresh', 'success'],
        ['settings.refresh', 'failure'],
      ]),
    );
    // The change from 3600 s to 1 s, with the interval it replaced.
    expect(body.entries.find((e) => e.outcome === 'success')?.details).toEqual({
      old_interval: 3600,
      interval: 1,
    });
  });

  it('keeps the interval across a restart on the same database', async () => {
    await hub.close();
    hub = await startHub(kind, slow, db);
    admin = await hub.login();
    const res = await hub.fetch('/api/v1/settings', { token: admin });
    expect(((await res.json()) as { refresh_interval: number }).refresh_interval).toBe(1);
    // The stored value reaches the sampler through the bus once bootstrap has finished.
    for (let i = 0; i < 50 && hub.app.get(LocalSamplerService).interval !== 1; i++) await sleep(20);
    expect(hub.app.get(LocalSamplerService).interval).toBe(1);
    expect(await samplesDuring(hub, 2500)).toBeGreaterThanOrEqual(2);
  });
});
