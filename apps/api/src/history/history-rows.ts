import { HOST_SERIES, type HistoryResolution, type HostSeries } from '@tyto/contracts';
import type {
  Bucket,
  EntityStats,
  EntityValues,
  ProcessEntry,
  ProcessPeaks,
  RawSample,
} from './history-series';

// How history rows map to table columns and back; the repository's SQL is built from these.

export const TABLE: Record<HistoryResolution, string> = {
  raw: 'history_raw',
  '1m': 'history_1m',
  '5m': 'history_5m',
  '1h': 'history_1h',
};

export const STATS = ['avg', 'min', 'max'] as const;
export const KEY = ['agent_id', 'ts'];
export const RAW_COLUMNS = [...KEY, ...HOST_SERIES];
export const BUCKET_COLUMNS = [
  ...KEY,
  'samples',
  ...HOST_SERIES.flatMap((s) => STATS.map((st) => `${s}_${st}`)),
];
export const DETAIL_KEY = ['agent_id', 'tier', 'ts'];
export const DETAIL_COLUMNS = [...DETAIL_KEY, 'entities', 'processes'];

export type Row = Record<string, unknown>;
export type Param = string | number | null;

/** TypeORM passes SQL through: SQLite takes `?`, PostgreSQL `$1, $2, …`. */
export function placeholders(pg: boolean, sql: string): string {
  if (!pg) return sql;
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const json = (v: object | null) => (v && Object.keys(v).length ? JSON.stringify(v) : null);
const parse = <T>(v: unknown, empty: T): T =>
  typeof v === 'string' ? (JSON.parse(v) as T) : empty;

export function encodeSample(s: RawSample): Param[] {
  return [s.agentId, s.ts, ...s.values];
}

export function encodeBucket(b: Bucket): Param[] {
  return [b.agentId, b.ts, b.samples, ...b.stats.flatMap((st) => st ?? [null, null, null])];
}

/** Detail rows: a raw sample's entity values and processes; a bucket's [avg, min, max, n]. */
export function encodeSampleDetail(s: RawSample): Param[] {
  return [s.agentId, 'raw', s.ts, json(s.entities), json(s.processes)];
}

export function encodeBucketDetail(b: Bucket, tier: Exclude<HistoryResolution, 'raw'>): Param[] {
  return [
    b.agentId,
    tier,
    b.ts,
    json(roundEntities(b.entities)),
    tier === '1m' ? json(b.processes) : null,
  ];
}

/** Two decimals are below what any chart shows and keep the JSON short. */
function roundEntities(entities: EntityStats): EntityStats {
  const out: EntityStats = {};
  for (const [group, byName] of Object.entries(entities) as [keyof EntityStats, object][]) {
    const g: Record<string, [number, number, number, number]> = {};
    for (const [name, t] of Object.entries(byName) as [string, number[]][]) {
      g[name] = [round2(t[0]), round2(t[1]), round2(t[2]), t[3]];
    }
    out[group] = g;
  }
  return out;
}

// Both drivers return `real` as a JS number (pg parses float4 itself); only bigint arrives as a
// string from pg. Series that were not selected decode to null.
const SERIES_INDEX = new Map(HOST_SERIES.map((s, i) => [s, i]));
const orNull = (v: unknown) => (v === undefined || v === null ? null : (v as number));

export function decodeSample(
  agentId: string,
  row: unknown[],
  series: readonly HostSeries[],
  detail: Row | undefined,
): RawSample {
  const values: (number | null)[] = HOST_SERIES.map(() => null);
  series.forEach((s, i) => (values[SERIES_INDEX.get(s) ?? 0] = orNull(row[i + 1])));
  return {
    agentId,
    ts: Number(row[0]),
    values,
    entities: parse<EntityValues>(detail?.['entities'], {}),
    processes: parse<ProcessEntry[]>(detail?.['processes'], []),
  };
}

export function decodeBucket(
  agentId: string,
  row: unknown[],
  series: readonly HostSeries[],
  detail: Row | undefined,
): Bucket {
  const stats: Bucket['stats'] = HOST_SERIES.map(() => null);
  series.forEach((s, i) => {
    const avg = orNull(row[1 + 3 * i]);
    if (avg !== null) {
      stats[SERIES_INDEX.get(s) ?? 0] = [avg, row[2 + 3 * i] as number, row[3 + 3 * i] as number];
    }
  });
  return {
    agentId,
    ts: Number(row[0]),
    // Read only for rollups (weights); charts leave it out so PostgreSQL's covering index suffices.
    samples: Number(row[1 + 3 * series.length] ?? 0),
    stats,
    entities: parse<EntityStats>(detail?.['entities'], {}),
    processes: parse<ProcessPeaks | null>(detail?.['processes'], null),
  };
}

export function parseProcessPeaks(v: unknown): ProcessPeaks {
  return parse<ProcessPeaks>(v, { cpu: [], memory: [] });
}
