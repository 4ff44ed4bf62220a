import type { HistoryPoint, Stats } from '@tyto/contracts';
import { bandSeries, historyCharts, isStats } from './history-charts';

function stats(avg: number, min = avg, max = avg): Stats {
  return { avg, min, max };
}

function point(minute: number, values: Record<string, Stats | null>): HistoryPoint {
  return {
    timestamp: new Date(Date.UTC(2026, 0, 15, 10, minute)).toISOString(),
    ...values,
  };
}

describe('history charts', () => {
  describe(bandSeries.name, () => {
    it('draws avg as the line and min–max as the band', () => {
      const series = bandSeries(
        [point(0, { cpu: stats(20, 5, 60) }), point(1, { cpu: stats(30, 25, 35) })],
        'cpu',
        'CPU',
      );

      expect(series).toEqual({
        name: 'CPU',
        series: [
          { name: new Date('2026-01-15T10:00:00.000Z'), value: 20, min: 5, max: 60 },
          { name: new Date('2026-01-15T10:01:00.000Z'), value: 30, min: 25, max: 35 },
        ],
      });
    });

    it('leaves out buckets without data instead of drawing zeros', () => {
      const series = bandSeries(
        [point(0, { gpu: null }), point(1, {}), point(2, { gpu: stats(50) })],
        'gpu',
        'GPU',
      );
      expect(series.series.map((p) => p.value)).toEqual([50]);
    });
  });

  describe(isStats.name, () => {
    it('accepts avg/min/max numbers only', () => {
      expect(isStats(stats(1))).toBe(true);
      expect(isStats(null)).toBe(false);
      expect(isStats({ avg: 1, min: 1 })).toBe(false);
      expect(isStats({ read: stats(1) })).toBe(false);
    });
  });

  describe(historyCharts.name, () => {
    const points = [
      point(0, {
        cpu: stats(10),
        memory: stats(40),
        swap: stats(0),
        disk_read: stats(100),
        disk_write: stats(0),
        net_rx: stats(5),
        net_tx: stats(1),
      }),
    ];

    it('draws cpu, memory, disk and network with their units', () => {
      const charts = historyCharts(points);
      expect(charts.map((c) => [c.id, c.unit, c.series.map((s) => s.name)])).toEqual([
        ['cpu', 'percent', ['CPU']],
        ['memory', 'percent', ['RAM']],
        ['disk', 'rate', ['Read', 'Write']],
        ['network', 'rate', ['Receive', 'Transmit']],
      ]);
    });

    it('adds swap once it was ever used', () => {
      const withSwap = [...points, point(1, { memory: stats(41), swap: stats(1, 0, 3) })];
      const memory = historyCharts(withSwap).find((c) => c.id === 'memory');
      expect(memory?.series.map((s) => s.name)).toEqual(['RAM', 'Swap']);
    });

    it('keeps each chart, with empty series, when there is no data', () => {
      const charts = historyCharts([]);
      expect(charts).toHaveLength(4);
      expect(charts.every((c) => c.series.every((s) => s.series.length === 0))).toBe(true);
    });
  });
});
