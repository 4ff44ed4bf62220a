import { HubBus } from '../common/bus';
import {
  HOST_SERIES,
  HistoryResponseSchema,
  ProcessHistoryResponseSchema,
  type HistoryResponse,
  type MetricsSnapshot,
  type Stats,
} from '@tyto/contracts';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';
import { proc, SAMPLE_DEFAULTS, snapshot, type SampleValues } from '../test/samples';
import { createUser, USER_PASSWORD } from '../test/api';
import { HistoryReadRepository } from './history-read.repository';
import { HistoryRepository } from './history.repository';
import { bucketFromSamples, floorTo, sampleFromSnapshot } from './history-series';
import { HistoryWriterService } from './history-writer.service';
import { RetentionJob } from './retention.job';
import { RollupJob } from './rollup.job';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Known numbers: sample i falls in minute m = ⌊i/6⌋ at position j = i mod 6. */
function valuesAt(i: number): Partial<SampleValues> {
  const m = Math.floor(i / 6);
  const j = i % 6;
  return {
    cpu: m + j * 10,
    memory: 40 + (m % 7) + j,
    swap: 5 + j,
    load: (m % 4) + j / 10,
    temperature: 50 + j,
    gpu: 10 * j,
    diskRead: 1000 * (j + 1),
    diskWrite: 500 + m,
    rx: 2000 + j,
    tx: 100 * j,
    rootUsed: 60 + m / 100,
    processes: [
      proc(100, 'postgres', 3, 4e8),
      ...(m === 5 ? [proc(4242, 'ffmpeg', 350, 1e8)] : []),
    ],
  };
}

/** How each checked metric reads off the values, keyed by its place in a history point. */
const READ: Record<string, (v: SampleValues) => number> = {
  cpu: (v) => v.cpu,
  memory: (v) => v.memory,
  swap: (v) => v.swap,
  load: (v) => v.load,
  temperature: (v) => v.temperature,
  gpu: (v) => v.gpu,
  disk_read: (v) => v.diskRead,
  disk_write: (v) => v.diskWrite,
  net_rx: (v) => v.rx,
  net_tx: (v) => v.tx,
  'disk:/': (v) => v.rootUsed,
  'diskio:sda.read': (v) => v.diskRead,
  'diskio:sda.write': (v) => v.diskWrite,
  'net:eth0.rx': (v) => v.rx,
  'net:eth0.tx': (v) => v.tx,
};
const ALL_METRICS = [...HOST_SERIES, 'disk:/', 'diskio:sda', 'net:eth0'].join(',');

interface Fed {
  ts: number;
  values: SampleValues;
}

/** The true avg/min/max of a metric over the raw samples in [start, start + step). */
function expected(fed: Fed[], start: number, step: number, key: string): Stats {
  const vs = fed
    .filter((f) => f.ts >= start && f.ts < start + step)
    .map((f) => READ[key](f.values));
  return {
    avg: vs.reduce((a, b) => a + b, 0) / vs.length,
    min: Math.min(...vs),
    max: Math.max(...vs),
  };
}

function pick(point: Record<string, unknown>, key: string): Stats {
  const [head, tail] = key.split('.');
  const v = (tail ? (point[head] as Record<string, unknown>)[tail] : point[head]) as Stats;
  expect(v).toEqual({ avg: expect.any(Number), min: expect.any(Number), max: expect.any(Number) });
  return v;
}

describe.each(DB_KINDS)('history on %s', (kind) => {
  // Two whole hours that ended at least an hour ago: every tier can roll them.
  const base = floorTo(Date.now() - 3 * HOUR, HOUR);
  let hub: TestHub;
  let admin: string;
  let viewer: string;
  let repo: HistoryRepository;
  let reads: HistoryReadRepository;
  let rollup: RollupJob;

  const feed = async (snapshots: MetricsSnapshot[]) => {
    const bus = hub.app.get(HubBus);
    for (const s of snapshots) bus.publish(METRICS_SAMPLE, s);
    await hub.app.get(HistoryWriterService).flush();
  };
  const get = async (path: string, token = admin) => {
    const res = await hub.fetch(path, { token });
    const text = await res.text();
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: isJson ? JSON.parse(text) : null,
    };
  };
  const history = async (params: Record<string, string | number>) => {
    const qs = new URLSearchParams(
      Object.entries(params).map(([k, v]) => [
        k,
        typeof v === 'number' ? new Date(v).toISOString() : v,
      ]),
    );
    const res = await get(`/api/v1/history?${qs}`);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: expect.anything(),
    });
    return HistoryResponseSchema.parse(res.body) as HistoryResponse;
  };

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    await createUser(hub, admin, { username: 'history-viewer', roles: ['viewer'] });
    viewer = await hub.login('history-viewer', USER_PASSWORD);
    repo = hub.app.get(HistoryRepository);
    reads = hub.app.get(HistoryReadRepository);
    rollup = hub.app.get(RollupJob);
  });
  afterAll(async () => {
    await hub.close();
  });

  describe('rollups', () => {
    const agent = 'rollup-agent';
    const fed: Fed[] = [];
    const sampleAt = (i: number) => {
      const ts = base + i * 10_000;
      const s = snapshot(agent, ts, valuesAt(i));
      fed.push({ ts, values: { ...SAMPLE_DEFAULTS, ...valuesAt(i) } });
      return s;
    };
    const all = (tier: '1m' | '5m' | '1h') =>
      history({
        agent_id: agent,
        resolution: tier,
        from: base,
        to: base + 2 * HOUR - 1,
        metrics: ALL_METRICS,
      });

    const checkTier = async (tier: '1m' | '5m' | '1h', step: number, points: number) => {
      const res = await all(tier);
      expect(res.resolution).toBe(tier);
      expect(res.data).toHaveLength(points);
      for (const point of res.data) {
        const start = Date.parse(point.timestamp);
        expect(start % step).toBe(0);
        for (const key of Object.keys(READ)) {
          const want = expected(fed, start, step, key);
          const got = pick(point, key);
          expect(got.avg).toBeCloseTo(want.avg, 1);
          expect(got.min).toBeCloseTo(want.min, 1);
          expect(got.max).toBeCloseTo(want.max, 1);
        }
      }
      return res;
    };

    beforeAll(async () => {
      const snaps: MetricsSnapshot[] = [];
      for (let i = 0; i < 720; i++) {
        const m = Math.floor(i / 6);
        // Minute 7 gets half its samples (uneven weights), minute 61 none (a hole).
        if ((m === 7 && i % 6 >= 3) || m === 61) continue;
        snaps.push(sampleAt(i));
      }
      await feed(snaps);
      await rollup.runOnce();
    });

    it('stores every sample raw, as avg = min = max', async () => {
      const res = await history({
        agent_id: agent,
        resolution: 'raw',
        from: base,
        to: base + MIN - 1,
        metrics: 'cpu,net_rx',
      });
      expect(res.data.map((p) => p.timestamp)).toEqual(
        [0, 1, 2, 3, 4, 5].map((i) => new Date(base + i * 10_000).toISOString()),
      );
      expect(res.data[2]['cpu']).toEqual({ avg: 20, min: 20, max: 20 });
      expect(res.data[2]['net_rx']).toEqual({ avg: 2002, min: 2002, max: 2002 });
    });

    it('computes avg/min/max of every series in the 1m tier', async () => {
      await checkTier('1m', MIN, 119);
    });

    it('computes the 5m tier from 1m with weights, equal to the raw truth', async () => {
      await checkTier('5m', 5 * MIN, 24);
    });

    it('computes the 1h tier from 5m, equal to the raw truth', async () => {
      await checkTier('1h', HOUR, 2);
    });

    it('gives the same rows when a pass runs again', async () => {
      const before = await Promise.all([all('1m'), all('5m'), all('1h')]);
      await rollup.runOnce();
      await rollup.runOnce();
      expect(await Promise.all([all('1m'), all('5m'), all('1h')])).toEqual(before);
      expect(await reads.count('1m', agent)).toBe(119);
    });

    it('recomputes the buckets a late sample falls in, without double counting', async () => {
      await feed([sampleAt(7 * 6 + 3), sampleAt(61 * 6)]);
      await rollup.runOnce();
      expect(await reads.count('1m', agent)).toBe(120);
      expect(await reads.count('5m', agent)).toBe(24);
      await checkTier('1m', MIN, 120);
      await checkTier('5m', 5 * MIN, 24);
      await checkTier('1h', HOUR, 2);
    });

    it('keeps the top processes of each minute', async () => {
      const res = await get(
        `/api/v1/history/processes?agent_id=${agent}&at=${new Date(base + 5 * MIN + 25_000).toISOString()}`,
        viewer,
      );
      expect(res.status).toBe(200);
      const body = ProcessHistoryResponseSchema.strict().parse(res.body);
      expect(body.timestamp).toBe(new Date(base + 5 * MIN).toISOString());
      expect(body.top_by_cpu[0]).toEqual({
        pid: 4242,
        name: 'ffmpeg',
        user: 'root',
        command: '/usr/bin/ffmpeg --serve',
        cpu: 350,
        memory: 1e8,
      });
      expect(body.top_by_memory[0].name).toBe('postgres');
    });
  });

  it('catches up on hours of pending samples across a gap in one pass', async () => {
    const agent = 'gap-agent';
    const base = floorTo(Date.now() - 6 * HOUR, HOUR);
    const hourOf = (h: number, cpu: number) =>
      Array.from({ length: 120 }, (_, i) => snapshot(agent, base + h * HOUR + i * 30_000, { cpu }));
    await feed([...hourOf(0, 10), ...hourOf(2, 30)]);
    await rollup.runOnce();
    const q = { agent_id: agent, from: base, to: base + 3 * HOUR - 1, metrics: 'cpu' };
    const minutes = await history({ ...q, resolution: '1m' });
    expect(minutes.data).toHaveLength(120);
    expect(
      minutes.data.some(
        (p) => Date.parse(p.timestamp) >= base + HOUR && Date.parse(p.timestamp) < base + 2 * HOUR,
      ),
    ).toBe(false);
    expect((await history({ ...q, resolution: '5m' })).data).toHaveLength(24);
    const hours = await history({ ...q, resolution: '1h' });
    expect(hours.data).toEqual([
      { timestamp: new Date(base).toISOString(), cpu: { avg: 10, min: 10, max: 10 } },
      { timestamp: new Date(base + 2 * HOUR).toISOString(), cpu: { avg: 30, min: 30, max: 30 } },
    ]);
  });

  it('computes the top processes of a minute not rolled up yet from raw samples', async () => {
    const at = Date.now() - 5000;
    await feed([snapshot('fresh-agent', at, { processes: [proc(9, 'make', 180, 5e7)] })]);
    const res = await get(
      `/api/v1/history/processes?agent_id=fresh-agent&at=${new Date(at).toISOString()}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.top_by_cpu.map((p: { name: string }) => p.name)).toEqual(['make']);
    expect(
      (await get(`/api/v1/history/processes?agent_id=nobody&at=${new Date(at).toISOString()}`))
        .status,
    ).toBe(404);
    const old = await get(`/api/v1/history/processes?at=${new Date(at - 8 * DAY).toISOString()}`);
    expect({ status: old.status, code: old.body.code }).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
  });

  describe('retention', () => {
    it('deletes exactly the rows older than each tier keeps', async () => {
      const agent = 'retention-agent';
      const now = Date.now();
      const bucket = (ts: number) => {
        const sample = sampleFromSnapshot(snapshot(agent, ts));
        return bucketFromSamples(agent, ts, sample ? [sample] : []);
      };
      await feed([
        snapshot(agent, now - 25 * HOUR),
        snapshot(agent, now - 24 * HOUR - MIN),
        snapshot(agent, now - 23 * HOUR),
      ]);
      const tiers = {
        '1m': [8 * DAY, 6 * DAY],
        '5m': [31 * DAY, 29 * DAY],
        '1h': [366 * DAY, 364 * DAY],
      } as const;
      for (const [tier, ages] of Object.entries(tiers) as [
        keyof typeof tiers,
        readonly number[],
      ][]) {
        await repo.upsertBuckets(
          tier,
          ages.map((age) => bucket(floorTo(now - age, HOUR))),
        );
      }
      const otherBefore = await reads.count('1m', 'rollup-agent');

      await hub.app.get(RetentionJob).runOnce(now);

      const raw = await reads.readSamples(agent, 0, now, { series: [] });
      expect(raw.map((s) => s.ts)).toEqual([now - 23 * HOUR]);
      for (const [tier, [expiredAge, keptAge]] of Object.entries(tiers) as [
        keyof typeof tiers,
        readonly number[],
      ][]) {
        const ts = (await reads.readBuckets(tier, agent, 0, now, { series: [] })).map((b) => b.ts);
        expect(ts).toContain(floorTo(now - keptAge, HOUR));
        expect(ts).not.toContain(floorTo(now - expiredAge, HOUR));
        expect(ts.every((t) => t >= now - hub.config.retention[tier] * 1000)).toBe(true);
      }
      expect(await reads.count('1m', 'rollup-agent')).toBe(otherBefore);
    });

    it('deletes in batches until nothing expired is left', async () => {
      const agent = 'batch-agent';
      const now = Date.now();
      // Inside the real retention, so the hub's own purge leaves them to this test.
      await feed(Array.from({ length: 15 }, (_, i) => snapshot(agent, now - 2 * HOUR + i * 1000)));
      const cutoff = now - 2 * HOUR + 12 * 1000;
      expect(await repo.deleteOlderThan('raw', agent, cutoff, 5)).toBe(12);
      expect(await reads.count('raw', agent)).toBe(3);
    });
  });

  describe('GET /api/v1/history', () => {
    it('defaults to the last hour of local at a resolution it picks', async () => {
      const res = await history({});
      expect(res.agent_id).toBe('local');
      expect(Date.parse(res.to) - Date.parse(res.from)).toBe(HOUR);
      // The test hub samples every second, but local has only the seconds since this hub
      // started: the tier is chosen over what exists, so raw.
      expect(res.resolution).toBe('raw');
    });

    // rollup-agent holds two hours of samples ending an hour ago, every 10 s.
    it.each([
      [10 * MIN, 'raw'],
      [6 * HOUR, '1m'],
      [DAY, '1m'],
      [30 * DAY, '1m'],
    ])(
      'answers a range of %i ms at %s over the part that holds data when no resolution is given',
      async (range, resolution) => {
        const to = base + 2 * HOUR;
        const res = await history({ agent_id: 'rollup-agent', from: to - range, to });
        expect(res.resolution).toBe(resolution);
        expect(res.data.length).toBeGreaterThan(0);
        expect(Date.parse(res.to) - Date.parse(res.from)).toBe(range);
      },
    );

    it('answers 7 d and 30 d on a new agent with every sample it has, not an empty chart', async () => {
      const now = Date.now();
      const fresh: MetricsSnapshot[] = [];
      for (let i = 0; i < 60; i++) {
        fresh.push(snapshot('fresh-agent', now - 600_000 + i * 10_000, { cpu: i }));
      }
      await feed(fresh);
      const fed = new Set(fresh.map((s) => s.timestamp));
      for (const range of [7 * DAY, 30 * DAY]) {
        const res = await history({ agent_id: 'fresh-agent', from: now - range, to: now });
        expect(res.resolution).toBe('raw');
        const points = res.data.filter((p) => fed.has(p.timestamp));
        expect(points.map((p) => (p['cpu'] as Stats).avg)).toEqual([...Array(60).keys()]);
      }
    });

    it('includes the buckets not rolled up yet, from the finer tiers', async () => {
      const agent = 'open-bucket-agent';
      const now = Date.now();
      const old: MetricsSnapshot[] = [];
      const recent: Fed[] = [];
      // Two rolled-up hours long ago, then samples of the last two minutes, not rolled up.
      for (let i = 0; i < 120; i++) old.push(snapshot(agent, base + i * MIN, { cpu: 5 }));
      await feed(old);
      await rollup.runOnce();
      const fresh: MetricsSnapshot[] = [];
      for (let i = 0; i < 12; i++) {
        const ts = now - 120_000 + i * 10_000;
        const values = { ...SAMPLE_DEFAULTS, cpu: 20 + i };
        fresh.push(snapshot(agent, ts, values));
        recent.push({ ts, values });
      }
      await feed(fresh);
      for (const [tier, step] of [
        ['1h', HOUR],
        ['5m', 5 * MIN],
        ['1m', MIN],
      ] as const) {
        const res = await history({ agent_id: agent, resolution: tier, from: base, to: now });
        const open = res.data.filter(
          (p) => Date.parse(p.timestamp) >= floorTo(now - 120_000, step),
        );
        expect(open.length).toBeGreaterThan(0);
        for (const point of open) {
          const want = expected(recent, Date.parse(point.timestamp), step, 'cpu');
          expect(pick(point, 'cpu').avg).toBeCloseTo(want.avg, 1);
          expect(pick(point, 'cpu')).toMatchObject({ min: want.min, max: want.max });
        }
        // The rolled-up hours are still there, unchanged.
        expect(res.data[0]).toMatchObject({ cpu: { avg: 5, min: 5, max: 5 } });
      }
    });

    it('answers cpu and memory unless metrics says otherwise', async () => {
      const q = { agent_id: 'rollup-agent', resolution: '1h', from: Date.now() - 6 * HOUR };
      expect(Object.keys((await history(q)).data[0])).toEqual(['timestamp', 'cpu', 'memory']);
      const all = await history({ ...q, metrics: HOST_SERIES.join(',') });
      expect(Object.keys(all.data[0])).toEqual(['timestamp', ...HOST_SERIES]);
    });

    it('answers null for a series the agent never measured', async () => {
      await feed([
        { ...snapshot('gpu-less', Date.now() - 2000), gpu: { available: false, gpus: [] } },
      ]);
      const res = await history({ agent_id: 'gpu-less', resolution: 'raw', metrics: 'cpu,gpu' });
      expect(res.data).toEqual([
        expect.objectContaining({ cpu: { avg: 12, min: 12, max: 12 }, gpu: null }),
      ]);
    });

    it('answers the stored numbers to two decimals, in order, with nulls and repeats kept', async () => {
      // Reals whose text and rounding are easy to get wrong: halves of a hundredth, exponents,
      // a missing series and (second agent) an infinite maximum, which is not JSON.
      const start = base - 10 * MIN;
      const rows: [number, number, number][] = [
        [12.345, 0.001, 99.995],
        [1234567, -3.21, 1e7],
        [0.125, 0, 2.5e-5],
      ];
      const bucketsOf = (agentId: string, inf: boolean) =>
        rows.map((cpu, i) => ({
          agentId,
          ts: start + i * MIN,
          samples: 6,
          stats: HOST_SERIES.map((s): [number, number, number] | null =>
            s === 'cpu' ? cpu : s === 'memory' ? [i, i, inf && i === 1 ? Infinity : i] : null,
          ),
          entities: {},
          processes: null,
        }));
      await repo.upsertBuckets('1m', bucketsOf('numbers-agent', false));
      await repo.upsertBuckets('1m', bucketsOf('infinite-agent', true));
      const r2 = (v: number) => Math.round(v * 100) / 100;
      const want = rows.map((cpu, i) => ({
        timestamp: new Date(start + i * MIN).toISOString(),
        cpu: { avg: r2(cpu[0]), min: r2(cpu[1]), max: r2(cpu[2]) },
        gpu: null,
        memory: { avg: i, min: i, max: i },
      }));
      const q = {
        resolution: '1m',
        from: start,
        to: start + 3 * MIN - 1,
        metrics: 'cpu,gpu,memory,cpu',
      };
      const finite = await history({ ...q, agent_id: 'numbers-agent' });
      expect(finite.data).toEqual(want);
      expect(Object.keys(finite.data[0])).toEqual(['timestamp', 'cpu', 'gpu', 'memory']);
      // JSON has no Infinity: it goes out as null, which the schema's Stats do not allow.
      const qs = new URLSearchParams({
        ...q,
        from: new Date(q.from).toISOString(),
        to: new Date(q.to).toISOString(),
        agent_id: 'infinite-agent',
      });
      const infinite = await get(`/api/v1/history?${qs}`);
      want[1].memory.max = null as unknown as number;
      expect(infinite.body.data).toEqual(want);
    });

    it('expands disk:* and net:* to every mount and interface', async () => {
      const res = await history({
        agent_id: 'rollup-agent',
        resolution: '1h',
        from: Date.now() - 6 * HOUR,
        metrics: 'cpu,disk:*,net:*,diskio:nvme0n1',
      });
      expect(Object.keys(res.data[0]).sort()).toEqual(
        ['timestamp', 'cpu', 'disk:/', 'disk:/data', 'net:lo', 'net:eth0', 'diskio:nvme0n1'].sort(),
      );
      expect(res.data[0]['disk:/data']).toEqual({ avg: 10, min: 10, max: 10 });
      expect(res.data[0]['diskio:nvme0n1']).toBeNull();
    });

    it.each<[string, string, number, string]>([
      [
        'from after to',
        'from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z',
        400,
        'VALIDATION_FAILED',
      ],
      [
        'from in the future',
        `from=${new Date(Date.now() + DAY).toISOString()}`,
        400,
        'BAD_REQUEST',
      ],
      ['a bad date', 'from=yesterday', 400, 'VALIDATION_FAILED'],
      ['an impossible date', 'from=2025-02-30T00:00:00Z', 400, 'VALIDATION_FAILED'],
      ['a bad resolution', 'resolution=10s', 400, 'VALIDATION_FAILED'],
      ['an unknown metric', 'metrics=cpu,bogus', 400, 'VALIDATION_FAILED'],
      [
        'raw beyond its retention',
        `resolution=raw&from=${new Date(Date.now() - 25 * HOUR).toISOString()}`,
        400,
        'BAD_REQUEST',
      ],
      [
        '1m beyond its retention',
        `resolution=1m&from=${new Date(Date.now() - 8 * DAY).toISOString()}`,
        400,
        'BAD_REQUEST',
      ],
      [
        'beyond every retention',
        `from=${new Date(Date.now() - 400 * DAY).toISOString()}`,
        400,
        'BAD_REQUEST',
      ],
    ])('refuses %s', async (_, qs, status, code) => {
      const res = await get(`/api/v1/history?${qs}`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
      expect(res.body).toEqual({ error: expect.any(String), code, details: expect.any(Object) });
    });

    it('lets a viewer read history and settings, but not export or change settings', async () => {
      expect((await get('/api/v1/history', viewer)).status).toBe(200);
      expect((await get('/api/v1/settings', viewer)).status).toBe(200);
      const exp = await get('/api/v1/export/metrics', viewer);
      expect({ status: exp.status, code: exp.body.code }).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      const post = await hub.fetch('/api/v1/settings/refresh', {
        method: 'POST',
        token: viewer,
        json: { interval: 5 },
      });
      expect(post.status).toBe(403);
      expect(((await post.json()) as { code: string }).code).toBe('FORBIDDEN');
    });

    it('refuses history without a session', async () => {
      expect((await get('/api/v1/history', '')).status).toBe(401);
    });
  });

  describe('GET /api/v1/export/metrics', () => {
    const agent = 'export-agent';
    let sent: MetricsSnapshot;
    beforeAll(async () => {
      sent = snapshot(agent, Date.now(), { cpu: 42.5 });
      await feed([sent]);
    });

    it('exports the current snapshot as a JSON attachment', async () => {
      const res = await get(`/api/v1/export/metrics?agent_id=${agent}&format=json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="tyto-metrics-export-agent-\d{8}T\d{6}Z\.json"$/,
      );
      expect(res.body).toEqual({
        agent_id: agent,
        exported_at: expect.any(String),
        snapshot: sent,
      });
    });

    it('exports the current snapshot as CSV with a header row of flattened fields', async () => {
      const res = await get(`/api/v1/export/metrics?agent_id=${agent}&format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="tyto-metrics-export-agent-\d{8}T\d{6}Z\.csv"$/,
      );
      const [header, row, end] = res.text.split('\r\n');
      expect(end).toBe('');
      const columns = header.split(',');
      expect(columns).toEqual(
        expect.arrayContaining([
          'timestamp',
          'agent_id',
          'cpu.totalUsage',
          'memory.used',
          'disk.mounts./.usedPercent',
          'network.interfaces.eth0.rxRate',
        ]),
      );
      const cells = row.split(',');
      const at = (c: string) => cells[columns.indexOf(c)];
      expect(at('cpu.totalUsage')).toBe('42.5');
      expect(at('disk.mounts./.usedPercent')).toBe('60');
      expect(at('agent_id')).toBe(agent);
    });

    it('exports a history range with from/to', async () => {
      const range = `from=${new Date(base).toISOString()}&to=${new Date(base + 10 * MIN - 1).toISOString()}&resolution=1m&metrics=cpu`;
      const csv = await get(`/api/v1/export/metrics?agent_id=rollup-agent&format=csv&${range}`);
      expect(csv.status).toBe(200);
      const lines = csv.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('timestamp,cpu.avg,cpu.min,cpu.max');
      expect(lines).toHaveLength(11);
      expect(lines[1]).toBe(`${new Date(base).toISOString()},25,0,50`);
      const json = await get(`/api/v1/export/metrics?agent_id=rollup-agent&format=json&${range}`);
      expect(json.body.history.data).toHaveLength(10);
    });

    it.each([
      ['an unknown format', `agent_id=${agent}&format=xml`, 400, 'VALIDATION_FAILED'],
      ['a bad date', `agent_id=${agent}&from=soon`, 400, 'VALIDATION_FAILED'],
      ['an agent without samples', 'agent_id=nobody', 404, 'NOT_FOUND'],
    ])('refuses %s', async (_, qs, status, code) => {
      const res = await get(`/api/v1/export/metrics?${qs}`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    });
  });
});
