import type { HistoryPoint, HostSeries, Stats } from '@tyto/contracts';
import type { BandPoint, BandSeries } from '../../shared/ui/chart.model';

export function isStats(value: unknown): value is Stats {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Stats).avg === 'number' &&
    typeof (value as Stats).min === 'number' &&
    typeof (value as Stats).max === 'number'
  );
}

// One host series as a line (avg) with its min–max band. Buckets without data (null: the agent was
// down, or has no GPU) are left out; the line then spans the gap rather than dropping to zero.
export function bandSeries(
  points: readonly HistoryPoint[],
  metric: HostSeries,
  label: string,
): BandSeries {
  const series: BandPoint[] = [];
  for (const point of points) {
    const stats = point[metric];
    if (!isStats(stats)) continue;
    series.push({
      name: new Date(point.timestamp),
      value: stats.avg,
      min: stats.min,
      max: stats.max,
    });
  }
  return { name: label, series };
}

export type HistoryChartId = 'cpu' | 'memory' | 'disk' | 'network';

export interface HistoryChart {
  id: HistoryChartId;
  title: string;
  unit: 'percent' | 'rate';
  series: readonly BandSeries[];
}

interface ChartSpec {
  id: HistoryChartId;
  title: string;
  unit: HistoryChart['unit'];
  // `optional`: left out when it never rises above zero. A host without swap (most containers
  // and many VMs) would otherwise show a flat line under the memory one.
  metrics: readonly { metric: HostSeries; label: string; optional?: boolean }[];
}

const CHARTS: readonly ChartSpec[] = [
  { id: 'cpu', title: 'CPU', unit: 'percent', metrics: [{ metric: 'cpu', label: 'CPU' }] },
  {
    id: 'memory',
    title: 'Memory',
    unit: 'percent',
    metrics: [
      { metric: 'memory', label: 'RAM' },
      { metric: 'swap', label: 'Swap', optional: true },
    ],
  },
  {
    id: 'disk',
    title: 'Disk I/O',
    unit: 'rate',
    metrics: [
      { metric: 'disk_read', label: 'Read' },
      { metric: 'disk_write', label: 'Write' },
    ],
  },
  {
    id: 'network',
    title: 'Network',
    unit: 'rate',
    metrics: [
      { metric: 'net_rx', label: 'Receive' },
      { metric: 'net_tx', label: 'Transmit' },
    ],
  },
];

export function historyCharts(points: readonly HistoryPoint[]): HistoryChart[] {
  return CHARTS.map(({ id, title, unit, metrics }) => ({
    id,
    title,
    unit,
    series: metrics
      .map(({ metric, label, optional }) => ({
        optional,
        series: bandSeries(points, metric, label),
      }))
      .filter(({ optional, series }) => !optional || series.series.some((p) => p.max > 0))
      .map(({ series }) => series),
  }));
}
