import { Inject, Injectable } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import {
  DEFAULT_HISTORY_METRICS,
  parseMetricSelector,
  type EntityKind,
  type HistoryPoint,
  type HistoryQuery,
  type HistoryResolution,
  type HistoryResponse,
  type HostSeries,
  type MetricSelector,
  type ProcessHistoryQuery,
  type ProcessHistoryResponse,
  type ProcessPeak,
  type Stats,
} from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { badRequest, notFound } from '../common/errors';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { HistoryReadRepository, type ChartRows } from './history-read.repository';
import { parseEntities } from './history-rows';
import {
  floorTo,
  processPeaks,
  type EntityGroup,
  type EntityStats,
  type EntityValues,
  type ProcessEntry,
  type StatTuple,
} from './history-series';
import { chooseResolution, earliestKept, TIER_STEP_MS } from './history-tiers';
import { isoUtc as iso } from './iso-time';

const HOUR_MS = 3_600_000;
/** An explicit resolution may return this many points; more asks for a coarser one. */
export const MAX_POINTS = 20_000;

/** The value groups behind each per-entity selector, and the keys they get in a point. */
const ENTITY_FIELDS: Record<EntityKind, [EntityGroup, string][]> = {
  // A mount has one series, so its entry is the Stats itself rather than { used: Stats }.
  disk: [['disk', 'used']],
  diskio: [
    ['read', 'read'],
    ['write', 'write'],
  ],
  net: [
    ['rx', 'rx'],
    ['tx', 'tx'],
  ],
};

const round2 = (v: number) => Math.round(v * 100) / 100;
const same = (v: number): Stats => {
  const r = round2(v);
  return { avg: r, min: r, max: r };
};
const fromTuple = (t: readonly number[]): Stats => ({
  avg: round2(t[0]),
  min: round2(t[1]),
  max: round2(t[2]),
});

interface Range {
  from: number;
  to: number;
  resolution: HistoryResolution;
}

/** Answers history and process-history queries from the tier that fits the range. */
@Injectable()
export class HistoryQueryService {
  /** Seconds between raw samples, to estimate how many points a raw answer would have. */
  private rawStepSeconds: number;

  constructor(
    private readonly repo: HistoryReadRepository,
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
  ) {
    this.rawStepSeconds = config.sampleInterval;
  }

  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.rawStepSeconds = event.interval;
  }

  /**
   * Resolves defaults and checks the range: 400 when it is inverted or older than kept. Without a
   * resolution the tier is chosen over the part of the range that holds data (from `oldest`, the
   * agent's oldest row, on): a 30-day range on a hub started an hour ago is answered at full
   * resolution, not as one hourly point.
   */
  resolveRange(
    q: Pick<HistoryQuery, 'from' | 'to' | 'resolution'>,
    now: number,
    oldest: number | null = null,
  ): Range {
    const to = q.to === undefined ? now : Date.parse(q.to);
    const from = q.from === undefined ? to - HOUR_MS : Date.parse(q.from);
    if (from > to) throw badRequest('from must not be after to', { from: iso(from), to: iso(to) });
    const dataFrom =
      q.resolution === undefined && oldest !== null && oldest > from ? Math.min(oldest, to) : from;
    const choose = (start: number) =>
      chooseResolution(start, to, now, this.config.retention, this.rawStepSeconds);
    // A range starting before every tier's retention is refused, whatever data it holds.
    const reaches = q.resolution !== undefined || choose(from) !== null;
    const resolution = reaches ? (q.resolution ?? choose(dataFrom)) : null;
    const earliest = earliestKept(resolution ?? '1h', this.config.retention, now);
    if (resolution === null || dataFrom < earliest) {
      const r = resolution ?? '1h';
      throw badRequest(`from is older than the ${r} history is kept`, {
        resolution: r,
        retention_seconds: this.config.retention[r],
        earliest: iso(earliest),
      });
    }
    return { from, to, resolution };
  }

  async history(q: HistoryQuery, now = Date.now()): Promise<HistoryResponse> {
    const oldest = q.resolution === undefined ? await this.repo.oldest(q.agent_id) : null;
    const { from, to, resolution } = this.resolveRange(q, now, oldest);
    const selectors = (q.metrics ?? DEFAULT_HISTORY_METRICS).map(parseMetricSelector);
    const host: HostSeries[] = [];
    const entities: Extract<MetricSelector, { name: string }>[] = [];
    for (const s of selectors) {
      if (s === null) continue;
      if (s.kind === 'host') host.push(s.series);
      else entities.push(s);
    }
    const opts = { series: host, entities: entities.length > 0, limit: MAX_POINTS + 1 };
    // `to` is inclusive; the bucket holding `from` counts, so a range never starts with a gap.
    const start = resolution === 'raw' ? from : floorTo(from, TIER_STEP_MS[resolution]);
    const chart = await this.repo.readChart(resolution, q.agent_id, start, to + 1, opts);
    if (chart.count > MAX_POINTS) {
      throw badRequest(`more than ${MAX_POINTS} points; ask for a coarser resolution`, {
        resolution,
      });
    }
    const points =
      resolution === 'raw'
        ? samplePoints(chart, host, entities)
        : bucketPoints(chart, host, entities);
    if (resolution !== 'raw') {
      // Buckets not rolled up yet (the open one, and those of the last minutes: rollups run once a
      // minute for complete buckets only) come from the finer tiers, so the newest data shows.
      const step = TIER_STEP_MS[resolution];
      const last = points.at(-1);
      const next = last ? Date.parse(last.timestamp) + step : start;
      if (next <= to) {
        const finer = await this.completeRows(FINER[resolution], q.agent_id, next, to, host);
        for (const row of aggregate(finer, step)) points.push(openPoint(row, host, entities));
      }
    }
    return { from: iso(from), to: iso(to), resolution, agent_id: q.agent_id, data: points };
  }

  /**
   * The rows of `tier` in [from, to] as weighted stats, followed by its own buckets not rolled up
   * yet, built from the tier below it in turn (raw has none).
   */
  private async completeRows(
    tier: HistoryResolution,
    agentId: string,
    from: number,
    to: number,
    host: readonly HostSeries[],
  ): Promise<OpenRow[]> {
    if (tier === 'raw') {
      const { rows } = await this.repo.read(null, 'raw', agentId, from, to + 1, { series: host });
      return rows.map((r) => ({
        ts: Number(r[0]),
        weight: 1,
        stats: host.map((_, k) => {
          const v = r[1 + k];
          return v === null || v === undefined
            ? null
            : ([Number(v), Number(v), Number(v)] as const);
        }),
      }));
    }
    const { rows } = await this.repo.read(null, tier, agentId, from, to + 1, {
      series: host,
      samples: true,
    });
    const out: OpenRow[] = rows.map((r) => ({
      ts: Number(r[0]),
      weight: Number(r[1 + 3 * host.length]) || 1,
      stats: host.map((_, k) => {
        const avg = r[1 + 3 * k];
        return avg === null || avg === undefined
          ? null
          : ([Number(avg), Number(r[2 + 3 * k]), Number(r[3 + 3 * k])] as const);
      }),
    }));
    const step = TIER_STEP_MS[tier];
    const next = out.length ? out[out.length - 1].ts + step : floorTo(from, step);
    if (next <= to) {
      out.push(...aggregate(await this.completeRows(FINER[tier], agentId, next, to, host), step));
    }
    return out;
  }

  /** The top processes of the minute holding `at`: stored, or computed if not rolled up yet. */
  async processes(q: ProcessHistoryQuery, now = Date.now()): Promise<ProcessHistoryResponse> {
    const minute = floorTo(Date.parse(q.at), TIER_STEP_MS['1m']);
    const earliest = earliestKept('1m', this.config.retention, now);
    if (minute + TIER_STEP_MS['1m'] <= earliest) {
      throw badRequest('at is older than the 1m history is kept', {
        resolution: '1m',
        retention_seconds: this.config.retention['1m'],
        earliest: iso(earliest),
      });
    }
    let peaks = await this.repo.processesAt(q.agent_id, minute);
    if (!peaks) {
      const samples = await this.repo.readSamples(q.agent_id, minute, minute + 60_000, {
        series: [],
        processes: true,
      });
      if (samples.length) peaks = processPeaks(samples);
    }
    if (!peaks) throw notFound(`Process history of agent '${q.agent_id}' at ${iso(minute)}`);
    return {
      agent_id: q.agent_id,
      timestamp: iso(minute),
      top_by_cpu: peaks.cpu.map(toPeak),
      top_by_memory: peaks.memory.map(toPeak),
    };
  }
}

const FINER: Record<Exclude<HistoryResolution, 'raw'>, HistoryResolution> = {
  '1m': 'raw',
  '5m': '1m',
  '1h': '5m',
};

/** A bucket or sample as [avg, min, max] per host series, with the samples behind it. */
interface OpenRow {
  ts: number;
  weight: number;
  stats: (readonly [number, number, number] | null)[];
}

/** Finer rows into buckets of `step`: averages weighted by samples, extremes of the extremes. */
function aggregate(rows: readonly OpenRow[], step: number): OpenRow[] {
  // Per series: weighted sum, min, max and the weight of the rows that had it.
  interface Acc {
    ts: number;
    weight: number;
    series: ({ sum: number; min: number; max: number; weight: number } | null)[];
  }
  const buckets: Acc[] = [];
  for (const row of rows) {
    const ts = floorTo(row.ts, step);
    let acc = buckets.at(-1);
    if (!acc || acc.ts !== ts) {
      acc = { ts, weight: 0, series: row.stats.map(() => null) };
      buckets.push(acc);
    }
    acc.weight += row.weight;
    row.stats.forEach((s, k) => {
      if (s === null) return;
      const a = (acc.series[k] ??= { sum: 0, min: s[1], max: s[2], weight: 0 });
      a.sum += s[0] * row.weight;
      a.weight += row.weight;
      a.min = Math.min(a.min, s[1]);
      a.max = Math.max(a.max, s[2]);
    });
  }
  return buckets.map((b) => ({
    ts: b.ts,
    weight: b.weight,
    stats: b.series.map((a) => (a === null ? null : ([a.sum / a.weight, a.min, a.max] as const))),
  }));
}

/** A point for a bucket not rolled up yet: the host series; entities only once rolled up. */
function openPoint(
  row: OpenRow,
  host: readonly HostSeries[],
  entities: readonly EntitySelector[],
): HistoryPoint {
  const point: HistoryPoint = { timestamp: iso(row.ts) };
  host.forEach((series, k) => {
    const s = row.stats[k];
    point[series] = s === null ? null : fromTuple(s);
  });
  for (const sel of entities) if (sel.name !== '*') point[`${sel.kind}:${sel.name}`] = null;
  return point;
}

const toPeak = ([pid, name, user, cpu, memory, command]: ProcessEntry): ProcessPeak => ({
  pid,
  name,
  user,
  command,
  cpu,
  memory,
});

type EntitySelector = Extract<MetricSelector, { name: string }>;

// A chart is built straight from the rows the database returns, with nothing per point but the
// point and its Stats (the timestamps of buckets are cached strings): a day at 1m is 1,441
// points, and what a call allocates is what its garbage collections cost later.

/** Raw points: each selected series' value as avg, min and max; the row is [ts, ...values]. */
function samplePoints(
  chart: ChartRows,
  host: readonly HostSeries[],
  entities: EntitySelector[],
): HistoryPoint[] {
  const { count, width, rows, flat, nanIsNull, details } = chart;
  const points: HistoryPoint[] = new Array<HistoryPoint>(count);
  for (let r = 0; r < count; r++) {
    const cells = (rows ? rows[r] : flat) as ArrayLike<number | null | undefined>;
    const at = rows ? 0 : r * width;
    const ts = Number(cells[at]);
    const point: HistoryPoint = { timestamp: iso(ts) };
    for (let k = 0; k < host.length; k++) {
      const v = cells[at + 1 + k];
      point[host[k]] = v === null || v === undefined || (nanIsNull && v !== v) ? null : same(v);
    }
    if (entities.length > 0) {
      const values = parseEntities<EntityValues>(details.get(ts));
      addEntities(
        point,
        entities,
        (group, name) => {
          const v = values[group]?.[name];
          return v === undefined ? null : same(v);
        },
        (group) => Object.keys(values[group] ?? {}),
      );
    }
    points[r] = point;
  }
  return points;
}

/** Bucket points: each selected series' [avg, min, max]; the row is [ts, avg, min, max, …]. */
function bucketPoints(
  chart: ChartRows,
  host: readonly HostSeries[],
  entities: EntitySelector[],
): HistoryPoint[] {
  const { count, width, rows, flat, nanIsNull, details } = chart;
  const points: HistoryPoint[] = new Array<HistoryPoint>(count);
  for (let r = 0; r < count; r++) {
    const cells = (rows ? rows[r] : flat) as ArrayLike<number>;
    const at = rows ? 0 : r * width;
    const ts = Number(cells[at]);
    const point: HistoryPoint = { timestamp: iso(ts) };
    for (let k = 0, c = at + 1; k < host.length; k++, c += 3) {
      const avg = cells[c];
      if (avg === null || avg === undefined || (nanIsNull && avg !== avg)) {
        point[host[k]] = null;
        continue;
      }
      // A NULL min or max beside an avg (never written) reads as 0, as round2(null) does.
      const min = cells[c + 1];
      const max = cells[c + 2];
      point[host[k]] = {
        avg: round2(avg),
        min: nanIsNull && min !== min ? 0 : round2(min),
        max: nanIsNull && max !== max ? 0 : round2(max),
      };
    }
    if (entities.length > 0) {
      const stats = parseEntities<EntityStats>(details.get(ts));
      addEntities(
        point,
        entities,
        (group, name) => {
          const t: StatTuple | undefined = stats[group]?.[name];
          return t === undefined ? null : fromTuple(t);
        },
        (group) => Object.keys(stats[group] ?? {}),
      );
    }
    points[r] = point;
  }
  return points;
}

/** Adds `disk:<mount>`, `diskio:<device>` and `net:<interface>` entries; `*` expands to all. */
function addEntities(
  point: HistoryPoint,
  selectors: EntitySelector[],
  stat: (group: EntityGroup, name: string) => Stats | null,
  names: (group: EntityGroup) => string[],
): void {
  for (const sel of selectors) {
    const fields = ENTITY_FIELDS[sel.kind];
    const wanted =
      sel.name === '*' ? [...new Set(fields.flatMap(([group]) => names(group)))] : [sel.name];
    for (const name of wanted) {
      const key = `${sel.kind}:${name}`;
      if (sel.kind === 'disk') {
        point[key] = stat('disk', name);
        continue;
      }
      const entry: Record<string, Stats | null> = {};
      for (const [group, field] of fields) entry[field] = stat(group, name);
      point[key] = Object.values(entry).every((v) => v === null) ? null : entry;
    }
  }
}
