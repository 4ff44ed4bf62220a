import type { TimeSeries } from './chart.model';

// Colours that keep their contrast on the light and the dark card surface; the second series is
// also dashed (styles.css), so equal lines stay two lines.
export const SERIES_COLORS = ['#1e88e5', '#f4511e', '#43a047', '#8e24aa'];

// A handful of evenly spaced ticks between the first and the last time, never one per sample.
export function timeTicks(min: number, max: number, count = 5): Date[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [];
  const step = (max - min) / (count - 1);
  return Array.from({ length: count }, (_, i) => new Date(min + i * step));
}

export function timeSpan(series: readonly { series: readonly { name: Date }[] }[]): {
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
