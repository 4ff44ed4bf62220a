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

/** A detail row's entities (a sample's values or a bucket's tuples); {} when it has none. */
export function parseEntities<T extends EntityValues | EntityStats>(detail: Row | undefined): T {
  return parse<T>(detail?.['entities'], {} as T);
}

export function parseProcessPeaks(v: unknown): ProcessPeaks {
  return parse<ProcessPeaks>(v, { cpu: [], memory: [] });
}

/** Powers of ten a double holds exactly: a decimal of up to 15 digits scaled by one is exact. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Reads a JSON array of numbers and nulls (PostgreSQL's chart text, see the read repository)
 * into `out`, NaN standing for null; returns how many values it read, or -1 when the text holds
 * anything else (NaN, Infinity, a malformed token), which the caller then reads the slow way.
 * Each number is the double JSON.parse gives: up to 15 digits with a power of ten up to 22 is
 * one exact division or multiplication of exact values, so correctly rounded (the fast path of
 * every strtod); longer numbers and larger exponents go to parseFloat. Nothing is allocated
 * per value, where JSON.parse makes a heap number of each before it builds the array.
 */
export function parseNumberArray(text: string, out: Float64Array): number {
  const end = text.length - 1;
  if (end < 1 || text.charCodeAt(0) !== 0x5b || text.charCodeAt(end) !== 0x5d) return -1;
  if (end === 1) return 0;
  let n = 0;
  let i = 1;
  while (i < end) {
    if (n >= out.length) return -1;
    const start = i;
    let c = text.charCodeAt(i);
    if (c === 0x6e) {
      if (!text.startsWith('null', i)) return -1;
      out[n++] = NaN;
      i += 4;
    } else {
      const negative = c === 0x2d;
      if (negative) c = text.charCodeAt(++i);
      let mantissa = 0;
      let digits = 0;
      let fraction = 0;
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        c = text.charCodeAt(++i);
      }
      if (c === 0x2e) {
        c = text.charCodeAt(++i);
        while (c >= 0x30 && c <= 0x39) {
          mantissa = mantissa * 10 + (c - 0x30);
          digits++;
          fraction++;
          c = text.charCodeAt(++i);
        }
      }
      let exponent = 0;
      if (c === 0x65 || c === 0x45) {
        c = text.charCodeAt(++i);
        const down = c === 0x2d;
        if (down || c === 0x2b) c = text.charCodeAt(++i);
        let expDigits = 0;
        while (c >= 0x30 && c <= 0x39) {
          exponent = exponent * 10 + (c - 0x30);
          expDigits++;
          c = text.charCodeAt(++i);
        }
        if (expDigits === 0) return -1;
        if (down) exponent = -exponent;
      }
      if (digits === 0) return -1;
      const scale = exponent - fraction;
      let v: number;
      if (digits <= 15 && scale >= -22 && scale <= 22) {
        v = scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
        if (negative) v = -v;
      } else {
        v = parseFloat(text.slice(start, i));
      }
      out[n++] = v;
    }
    c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      if (i === end) return -1;
    } else if (i !== end) return -1;
  }
  return n;
}
