import type { HistoryResolution, HostSeries } from '@tyto/contracts';
import type { TimeStyle } from '../../shared/format/time-format';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const RANGE_PRESETS = [
  { id: '1h', label: '1 h', spanMs: HOUR_MS },
  { id: '6h', label: '6 h', spanMs: 6 * HOUR_MS },
  { id: '24h', label: '24 h', spanMs: DAY_MS },
  { id: '7d', label: '7 d', spanMs: 7 * DAY_MS },
  { id: '30d', label: '30 d', spanMs: 30 * DAY_MS },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['id'];

export type HistoryRange =
  { kind: 'preset'; preset: RangePreset } | { kind: 'custom'; from: Date; to: Date };

/** The host-wide series the history charts draw. */
export const CHART_METRICS = [
  'cpu',
  'memory',
  'swap',
  'disk_read',
  'disk_write',
  'net_rx',
  'net_tx',
] as const satisfies readonly HostSeries[];

/** Query string of `GET /history` (and of a ranged export, which takes the same range fields). */
export interface HistoryQueryParams {
  from: string;
  to: string;
  agent_id: string;
  metrics: string;
  resolution?: HistoryResolution;
}

/** The range of a ranged export: the one the charts show, at the resolution they were drawn in. */
export type ExportRange = Pick<HistoryQueryParams, 'from' | 'to' | 'resolution'>;

export function presetSpan(preset: RangePreset): number {
  return RANGE_PRESETS.find((p) => p.id === preset)?.spanMs ?? HOUR_MS;
}

export function resolveRange(range: HistoryRange, now: Date): { from: Date; to: Date } {
  switch (range.kind) {
    case 'preset':
      return { from: new Date(now.getTime() - presetSpan(range.preset)), to: now };
    case 'custom':
      return { from: range.from, to: range.to };
  }
}

// Ranges leave the resolution to the hub (the finest tier that reaches back far enough and
// answers in at most ~1,000 points), with one exception: the last hour asks for raw samples.
// That is the range people watch while something is happening, and a rollup tier only gains a
// minute once it is over, so the hub's choice (1m at a 1 s interval) would lag the live view by
// one to two minutes. An hour of raw samples is at most 3,600 points.
export function historyQuery(range: HistoryRange, agentId: string, now: Date): HistoryQueryParams {
  const { from, to } = resolveRange(range, now);
  const params: HistoryQueryParams = {
    from: from.toISOString(),
    to: to.toISOString(),
    agent_id: agentId,
    metrics: CHART_METRICS.join(','),
  };
  if (range.kind === 'preset' && range.preset === '1h') params.resolution = 'raw';
  return params;
}

// Axis labels that fit the span: clock times within a day, dates beyond (one format family,
// shared/format/time-format.ts).
export function axisFormat(
  spanMs: number,
  format: (value: Date, style: TimeStyle) => string,
): (value: Date) => string {
  const style: TimeStyle = spanMs <= DAY_MS ? 'minute' : 'short';
  return (value) => format(value, style);
}
