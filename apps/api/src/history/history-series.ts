import { HOST_SERIES, type MetricsSnapshot, type ProcessSummary } from '@tyto/contracts';

/**
 * The history's view of a sample, and the avg/min/max arithmetic of the rollups. Pure functions:
 * the writer, the rollup job and the query service share them, and unit tests pin them down.
 */

/** Per-entity value groups: used % per mount, read/write B/s per disk, rx/tx B/s per interface. */
export const ENTITY_GROUPS = ['disk', 'read', 'write', 'rx', 'tx'] as const;
export type EntityGroup = (typeof ENTITY_GROUPS)[number];

/** [avg, min, max, number of values]; a tuple keeps the JSON column small. */
export type StatTuple = [number, number, number, number];

export type EntityValues = Partial<Record<EntityGroup, Record<string, number>>>;
export type EntityStats = Partial<Record<EntityGroup, Record<string, StatTuple>>>;

/** [pid, name, user, cpu %, memory bytes, command]. */
export type ProcessEntry = [number, string, string, number, number, string];
export interface ProcessPeaks {
  cpu: ProcessEntry[];
  memory: ProcessEntry[];
}

/** One stored sample: host series in HOST_SERIES order (null: not reported), entities, processes. */
export interface RawSample {
  agentId: string;
  /** Epoch milliseconds. */
  ts: number;
  values: (number | null)[];
  entities: EntityValues;
  processes: ProcessEntry[];
}

/** One rollup bucket: host series as [avg, min, max] weighted by `samples`. */
export interface Bucket {
  agentId: string;
  /** Bucket start, epoch milliseconds. */
  ts: number;
  /** Raw samples behind it (0 when a chart query did not read it). */
  samples: number;
  stats: ([number, number, number] | null)[];
  entities: EntityStats;
  /** Top processes of the minute; 1m buckets only. */
  processes: ProcessPeaks | null;
}

export const TOP_PROCESSES = 5;
export const COMMAND_CHARS = 100;
/** Loopback traffic never leaves the host; counting it would inflate the network totals. */
const LOOPBACK = 'lo';

export const floorTo = (ts: number, stepMs: number) => Math.floor(ts / stepMs) * stepMs;

/** Two decimals are below what any chart shows and keep the JSON columns short. */
const round2 = (v: number) => Math.round(v * 100) / 100;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function sumOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}

function byName<T>(items: T[] | undefined, key: (t: T) => string, value: (t: T) => unknown) {
  const out: Record<string, number> = {};
  for (const item of items ?? []) {
    const v = num(value(item));
    if (v !== null) out[key(item)] = round2(v);
  }
  return Object.keys(out).length ? out : undefined;
}

function processEntry(p: ProcessSummary): ProcessEntry {
  return [p.pid, p.name, p.user, round2(p.cpu), p.memory, p.command.slice(0, COMMAND_CHARS)];
}

/**
 * Extracts what the history keeps from a snapshot; null when the timestamp is unusable. A
 * snapshot missing a section (an agent that could not read it) still yields the others.
 */
export function sampleFromSnapshot(snapshot: MetricsSnapshot): RawSample | null {
  const s = snapshot as Partial<MetricsSnapshot>;
  const ts = Date.parse(s.timestamp ?? '');
  if (!Number.isFinite(ts) || !s.agent_id) return null;
  const sensors = s.temperature?.available ? (s.temperature.sensors ?? []) : [];
  const temps = sensors.map((t) => num(t.value)).filter((v): v is number => v !== null);
  const gpuUtil = (s.gpu?.available ? (s.gpu.gpus ?? []) : [])
    .map((g) => num(g.utilization))
    .filter((v): v is number => v !== null);
  const io = s.disk?.io;
  const nics = s.network?.interfaces?.filter((n) => n.name !== LOOPBACK);
  const values: Record<(typeof HOST_SERIES)[number], number | null> = {
    cpu: num(s.cpu?.totalUsage),
    memory: num(s.memory?.usedPercent),
    swap: num(s.memory?.swapPercent),
    load: num(s.cpu?.loadAverage?.one),
    temperature: temps.length ? Math.max(...temps) : null,
    gpu: gpuUtil.length ? gpuUtil.reduce((a, b) => a + b, 0) / gpuUtil.length : null,
    disk_read: io ? sumOf(io.map((d) => num(d.readRate))) : null,
    disk_write: io ? sumOf(io.map((d) => num(d.writeRate))) : null,
    net_rx: nics ? sumOf(nics.map((n) => num(n.rxRate))) : null,
    net_tx: nics ? sumOf(nics.map((n) => num(n.txRate))) : null,
  };
  const entities: EntityValues = {};
  const groups: [EntityGroup, Record<string, number> | undefined][] = [
    [
      'disk',
      byName(
        s.disk?.mounts,
        (m) => m.mountpoint,
        (m) => m.usedPercent,
      ),
    ],
    [
      'read',
      byName(
        io,
        (d) => d.device,
        (d) => d.readRate,
      ),
    ],
    [
      'write',
      byName(
        io,
        (d) => d.device,
        (d) => d.writeRate,
      ),
    ],
    [
      'rx',
      byName(
        s.network?.interfaces,
        (n) => n.name,
        (n) => n.rxRate,
      ),
    ],
    [
      'tx',
      byName(
        s.network?.interfaces,
        (n) => n.name,
        (n) => n.txRate,
      ),
    ],
  ];
  for (const [group, values] of groups) if (values) entities[group] = values;

  // The union of both top-5 lists: enough to name the culprit of a spike in either resource.
  const seen = new Map<number, ProcessEntry>();
  for (const p of [
    ...(s.processes?.topByCpu ?? []).slice(0, TOP_PROCESSES),
    ...(s.processes?.topByMemory ?? []).slice(0, TOP_PROCESSES),
  ]) {
    if (!seen.has(p.pid)) seen.set(p.pid, processEntry(p));
  }
  return {
    agentId: s.agent_id,
    ts,
    values: HOST_SERIES.map((k) => values[k]),
    entities,
    processes: [...seen.values()],
  };
}

/** Running avg/min/max over weighted values. */
class Acc {
  sum = 0;
  n = 0;
  min = Infinity;
  max = -Infinity;

  add(avg: number, min: number, max: number, n: number): void {
    this.sum += avg * n;
    this.n += n;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  tuple(): StatTuple | null {
    return this.n > 0 ? [this.sum / this.n, this.min, this.max, this.n] : null;
  }
}

function triple(acc: Acc): [number, number, number] | null {
  const t = acc.tuple();
  return t ? [t[0], t[1], t[2]] : null;
}

function entityAccumulators() {
  const accs = new Map<EntityGroup, Map<string, Acc>>();
  return {
    add(group: EntityGroup, name: string, avg: number, min: number, max: number, n: number) {
      let byName = accs.get(group);
      if (!byName) accs.set(group, (byName = new Map()));
      let acc = byName.get(name);
      if (!acc) byName.set(name, (acc = new Acc()));
      acc.add(avg, min, max, n);
    },
    result(): EntityStats {
      const out: EntityStats = {};
      for (const [group, byName] of accs) {
        const g: Record<string, StatTuple> = {};
        for (const [name, acc] of byName) {
          const t = acc.tuple();
          if (t) g[name] = t;
        }
        out[group] = g;
      }
      return out;
    },
  };
}

/** The top processes of a minute: each process's peak CPU and peak memory in it. */
export function processPeaks(samples: RawSample[]): ProcessPeaks {
  const peaks = new Map<string, ProcessEntry>();
  for (const s of samples) {
    for (const p of s.processes) {
      const key = `${p[0]}:${p[1]}`;
      const seen = peaks.get(key);
      if (!seen) peaks.set(key, [...p]);
      else {
        seen[3] = Math.max(seen[3], p[3]);
        seen[4] = Math.max(seen[4], p[4]);
      }
    }
  }
  const all = [...peaks.values()];
  return {
    cpu: [...all].sort((a, b) => b[3] - a[3]).slice(0, TOP_PROCESSES),
    memory: [...all].sort((a, b) => b[4] - a[4]).slice(0, TOP_PROCESSES),
  };
}

/** A 1m bucket from the raw samples inside it. */
export function bucketFromSamples(agentId: string, ts: number, samples: RawSample[]): Bucket {
  const host = HOST_SERIES.map(() => new Acc());
  const entities = entityAccumulators();
  for (const s of samples) {
    s.values.forEach((v, i) => {
      if (v !== null) host[i].add(v, v, v, 1);
    });
    for (const group of ENTITY_GROUPS) {
      for (const [name, v] of Object.entries(s.entities[group] ?? {})) {
        entities.add(group, name, v, v, v, 1);
      }
    }
  }
  return {
    agentId,
    ts,
    samples: samples.length,
    stats: host.map(triple),
    entities: entities.result(),
    processes: processPeaks(samples),
  };
}

/**
 * A coarser bucket from finer ones: averages weighted by their sample counts. A host series that
 * was missing in part of a finer bucket is weighted by that bucket's whole count, a rounding
 * error that only arises when a sensor or GPU appears or vanishes within a minute.
 */
export function bucketFromBuckets(agentId: string, ts: number, parts: Bucket[]): Bucket {
  const host = HOST_SERIES.map(() => new Acc());
  const entities = entityAccumulators();
  let samples = 0;
  for (const b of parts) {
    samples += b.samples;
    b.stats.forEach((st, i) => {
      if (st) host[i].add(st[0], st[1], st[2], b.samples);
    });
    for (const group of ENTITY_GROUPS) {
      for (const [name, t] of Object.entries(b.entities[group] ?? {})) {
        entities.add(group, name, t[0], t[1], t[2], t[3]);
      }
    }
  }
  return {
    agentId,
    ts,
    samples,
    stats: host.map(triple),
    entities: entities.result(),
    processes: null,
  };
}

/** Groups rows by the bucket their timestamp falls in, in time order. */
export function groupByBucket<T extends { ts: number }>(
  rows: T[],
  stepMs: number,
): [number, T[]][] {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const key = floorTo(row.ts, stepMs);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(row);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]);
}
