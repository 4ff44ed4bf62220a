import type { TimeSeries } from './chart.model';

// Colours that keep their contrast on the light and the dark card surface; the second series is
// also dashed (styles.css), so equal lines stay two lines.
export const SERIES_COLORS = ['#1e88e5', '#f4511e', '#43a047', '#8e24aa'];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// Steps a time axis may use, so ticks fall on round times (12:05, 12:10 …).
const STEPS = [
  SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
  2 * 24 * HOUR,
  7 * 24 * HOUR,
];

// A handful of ticks on round times inside the span (at most `count`), never one per sample;
// ticks on the clock's round minutes and hours, days at midnight: the browser's clock, or UTC's
// when the user reads times in UTC.
export function timeTicks(min: number, max: number, count = 5, utc = false): Date[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min || count < 1) return [];
  const span = max - min;
  const step = STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / HOUR) * HOUR;
  // Round on the reader's clock: an hour step in a zone with a half-hour offset still lands on :00.
  const offset = utc ? 0 : new Date(min).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((min - offset) / step) * step + offset;
  const ticks: Date[] = [];
  for (let t = first; t <= max; t += step) ticks.push(new Date(t));
  return ticks;
}

// Room for the y axis' labels beside the plot, and for a gap between two tick labels.
const Y_AXIS_PX = 56;
const TICK_GAP_PX = 24;
// ngx-charts writes tick labels at 11px; an upper bound of a character's width there.
const CHAR_PX = 7;

/**
 * How many time ticks fit side by side on a chart `width` px wide when each reads like `label`:
 * between 2 and 6, so a phone gets two or three and a wide screen no more than a handful.
 */
export function tickCount(width: number, label: string): number {
  const labelPx = label.length * CHAR_PX + TICK_GAP_PX;
  return Math.max(2, Math.min(6, Math.floor((width - Y_AXIS_PX) / labelPx)));
}

export function timeSpan(series: readonly { name: string; series: readonly { name: Date }[] }[]): {
  min: number;
  max: number;
} {
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    for (const p of s.series) {
      const t = p.name.getTime();
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  return { min, max };
}

export function pointCount(series: readonly TimeSeries[]): number {
  return series.reduce((n, s) => Math.max(n, s.series.length), 0);
}
