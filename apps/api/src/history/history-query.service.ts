import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
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

  @OnEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.rawStepSeconds = event.interval;
  }

  /** Resolves defaults and checks the range: 400 when it is inverted or older than kept. */
  resolveRange(q: Pick<HistoryQuery, 'from' | 'to' | 'resolution'>, now: number): Range {
    const to = q.to === undefined ? now : Date.parse(q.to);
    const from = q.from === undefined ? to - HOUR_MS : Date.parse(q.from);
    if (from > to) throw badRequest('from must not be after to', { from: iso(from), to: iso(to) });
    const resolution =
      q.resolution ?? chooseResolution(from, to, now, this.config.retention, this.rawStepSeconds);
    const earliest = earliestKept(resolution ?? '1h', this.config.retention, now);
    if (resolution === null || from < earliest) {
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
    const { from, to, resolution } = this.resolveRange(q, now);
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
    return { from: iso(from), to: iso(to), resolution, agent_id: q.agent_id, data: points };
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
