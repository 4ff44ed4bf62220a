import type { HistoryResolution, HostSeries } from '@tyto/contracts';
import type { TimePrefs, TimeStyle, TimeZoneChoice } from '../../shared/format/time-format';

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

/** A day on the calendar, in the zone the user reads times in. Month 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** A time of day, 0–23 and 0–59. */
export interface WallTime {
  hour: number;
  minute: number;
}

/** The day and time `date` shows on a clock in `zone` (the browser's, or UTC). */
export function wallClock(date: Date, zone: TimeZoneChoice): CivilDate & WallTime {
  return zone === 'UTC'
    ? {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
      }
    : {
        year: date.getFullYear(),
        month: date.getMonth() + 1,
        day: date.getDate(),
        hour: date.getHours(),
        minute: date.getMinutes(),
      };
}

/** The instant a clock in `zone` shows `day` at `time`. */
export function zonedDate(day: CivilDate, time: WallTime, zone: TimeZoneChoice): Date {
  return zone === 'UTC'
    ? new Date(Date.UTC(day.year, day.month - 1, day.day, time.hour, time.minute))
    : new Date(day.year, day.month - 1, day.day, time.hour, time.minute);
}

export function compareDays(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Whether times are written on a 12-hour clock: the user's choice, else the locale's. */
export function usesHour12(prefs: TimePrefs, locale?: string): boolean {
  if (prefs.hourCycle !== 'locale') return prefs.hourCycle === '12';
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h11' || cycle === 'h12';
}

/** "09:30" on a 24-hour clock, "09:30 AM" on a 12-hour one (two-digit hours, as everywhere). */
export function formatWallTime({ hour, minute }: WallTime, hour12: boolean): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (!hour12) return `${pad(hour)}:${pad(minute)}`;
  return `${pad(hour % 12 === 0 ? 12 : hour % 12)}:${pad(minute)} ${hour < 12 ? 'AM' : 'PM'}`;
}

/**
 * A typed time of day: "14:05", "9:05", "0905", "9.05", "9 pm", "9:05 AM". With AM/PM the hour is
 * 1–12 whatever clock the user reads; without, 0–23. Null when it is not a time.
 */
export function parseWallTime(text: string): WallTime | null {
  const match =
    /^(\d{1,2})(?:[:.h]?(\d{2}))?\s*([ap])\.?\s*(?:m\.?)?$|^(\d{1,2})(?:[:.h]?(\d{2}))?$/i.exec(
      text.trim(),
    );
  if (!match) return null;
  const meridiem = match[3]?.toLowerCase();
  const hour = Number(meridiem ? match[1] : match[4]);
  const minute = Number((meridiem ? match[2] : match[5]) ?? 0);
  if (minute > 59) return null;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    return { hour: (hour % 12) + (meridiem === 'p' ? 12 : 0), minute };
  }
  return hour > 23 ? null : { hour, minute };
}

// Null when the custom range can be asked for, otherwise what is wrong with it.
export function customRangeProblem(from: Date | null, to: Date | null, now: Date): string | null {
  if (!from || !to) return 'Enter both a start and an end.';
  if (from >= to) return 'The start must be before the end.';
  if (from > now) return 'The start is in the future.';
  return null;
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
