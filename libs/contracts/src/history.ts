import * as z from 'zod';
import { LOCAL_AGENT_ID } from './agents';
import { isoTimeString, safeString } from './strings';

/**
 * Metrics history: raw samples and 1m / 5m / 1h rollups with avg/min/max per series. Times are
 * ISO 8601 UTC; percentages 0–100, rates in bytes per second.
 */
export const HISTORY_RESOLUTIONS = ['raw', '1m', '5m', '1h'] as const;
export type HistoryResolution = (typeof HISTORY_RESOLUTIONS)[number];

/**
 * Host-wide series kept in every tier: CPU %, memory %, swap %, 1-minute load, hottest sensor °C,
 * mean GPU utilisation %, disk read/write B/s (all disks), network rx/tx B/s (all interfaces but
 * loopback).
 */
export const HOST_SERIES = [
  'cpu',
  'memory',
  'swap',
  'load',
  'temperature',
  'gpu',
  'disk_read',
  'disk_write',
  'net_rx',
  'net_tx',
] as const;
export type HostSeries = (typeof HOST_SERIES)[number];

/** What a history query without `metrics` answers: a chart asks for what it draws. */
export const DEFAULT_HISTORY_METRICS: readonly HostSeries[] = ['cpu', 'memory'];

/**
 * Per-entity selectors: `disk:<mountpoint>` (used %), `diskio:<device>` (read/write B/s),
 * `net:<interface>` (rx/tx B/s). `*` in place of the name selects every one the agent reported.
 */
export const ENTITY_KINDS = ['disk', 'diskio', 'net'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export type MetricSelector =
  { kind: 'host'; series: HostSeries } | { kind: EntityKind; name: string | '*' };

/** Parses one `metrics=` token; null when it names nothing the history keeps. */
export function parseMetricSelector(token: string): MetricSelector | null {
  if ((HOST_SERIES as readonly string[]).includes(token)) {
    return { kind: 'host', series: token as HostSeries };
  }
  const colon = token.indexOf(':');
  if (colon < 0) return null;
  const kind = token.slice(0, colon);
  const name = token.slice(colon + 1);
  if (!(ENTITY_KINDS as readonly string[]).includes(kind) || name.length === 0 || name.length > 255)
    return null;
  return { kind: kind as EntityKind, name };
}

const isoTime = isoTimeString();

const metricsList = safeString()
  .max(4000)
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .superRefine((tokens, ctx) => {
    if (tokens.length === 0)
      ctx.addIssue({ code: 'custom', message: 'select at least one metric' });
    for (const t of tokens) {
      if (!parseMetricSelector(t)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown metric '${t}': use ${HOST_SERIES.join(', ')}, disk:<mount>, diskio:<device> or net:<interface>`,
        });
      }
    }
  });

const rangeFields = {
  /** Start of the range; default `to` minus one hour. */
  from: isoTime.optional(),
  /** End of the range; default now. */
  to: isoTime.optional(),
  /** Omitted: the finest tier that covers the range in at most ~1,000 points. */
  resolution: z.enum(HISTORY_RESOLUTIONS).optional(),
  agent_id: safeString().min(1).max(128).default(LOCAL_AGENT_ID),
  /** Comma-separated selectors; default `cpu,memory`. */
  metrics: metricsList.optional(),
};

const fromNotAfterTo = (q: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  }
};

export const HistoryQuerySchema = z.strictObject(rangeFields).superRefine(fromNotAfterTo);
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const StatsSchema = z.object({ avg: z.number(), min: z.number(), max: z.number() });
export type Stats = z.infer<typeof StatsSchema>;

/**
 * One point: `timestamp` (start of the bucket, or the sample time for `raw`) and one entry per
 * selected metric, keyed by its selector: host series and `disk:<mount>` hold Stats,
 * `diskio:<device>` holds `{read, write}`, `net:<interface>` holds `{rx, tx}`. null: no data in
 * that bucket (e.g. no GPU). Raw points carry the sample value as avg, min and max.
 */
export const HistoryPointSchema = z
  .object({ timestamp: z.string() })
  .catchall(z.union([StatsSchema, z.record(z.string(), StatsSchema.nullable()), z.null()]));
export type HistoryValue = Stats | Record<string, Stats | null> | null;
// Written out: z.infer of a catchall beside `timestamp` gives a type nothing can be assigned to.
export interface HistoryPoint {
  timestamp: string;
  [metric: string]: HistoryValue | string;
}

export const HistoryResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  resolution: z.enum(HISTORY_RESOLUTIONS),
  agent_id: z.string(),
  data: z.array(HistoryPointSchema),
});
export type HistoryResponse = Omit<z.infer<typeof HistoryResponseSchema>, 'data'> & {
  data: HistoryPoint[];
};

export const ProcessHistoryQuerySchema = z.strictObject({
  /** Any time inside the minute of interest. */
  at: isoTime,
  agent_id: safeString().min(1).max(128).default(LOCAL_AGENT_ID),
});
export type ProcessHistoryQuery = z.infer<typeof ProcessHistoryQuerySchema>;

/** A process as seen during one minute: its peak CPU (% of one core) and peak RSS (bytes). */
export const ProcessPeakSchema = z.object({
  pid: z.number().int(),
  name: z.string(),
  user: z.string(),
  /** First 100 characters of the (redacted) command line. */
  command: z.string(),
  cpu: z.number(),
  memory: z.number(),
});
export type ProcessPeak = z.infer<typeof ProcessPeakSchema>;

export const ProcessHistoryResponseSchema = z.object({
  agent_id: z.string(),
  /** Start of the minute. */
  timestamp: z.string(),
  top_by_cpu: z.array(ProcessPeakSchema),
  top_by_memory: z.array(ProcessPeakSchema),
});
export type ProcessHistoryResponse = z.infer<typeof ProcessHistoryResponseSchema>;

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Export: the agent's current snapshot; with `from` or `to`, also (CSV: instead) a history range. */
export const ExportQuerySchema = z
  .strictObject({ format: z.enum(EXPORT_FORMATS).default('json'), ...rangeFields })
  .superRefine(fromNotAfterTo);
export type ExportQuery = z.infer<typeof ExportQuerySchema>;
