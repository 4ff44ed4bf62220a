import { CHART_METRICS, axisFormat, historyQuery, resolveRange } from './history-range';
import type { TimeStyle } from '../../shared/format/time-format';
import { formatTime } from '../../shared/format/time-format';

const NOW = new Date('2026-01-15T12:00:00.000Z');

describe('history range', () => {
  describe(historyQuery.name, () => {
    it('asks for the last hour in raw samples, so the newest minute is there', () => {
      expect(historyQuery({ kind: 'preset', preset: '1h' }, 'local', NOW)).toEqual({
        from: '2026-01-15T11:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
        agent_id: 'local',
        metrics: 'cpu,memory,swap,disk_read,disk_write,net_rx,net_tx',
        resolution: 'raw',
      });
    });

    it.each([
      ['6h', '2026-01-15T06:00:00.000Z'],
      ['24h', '2026-01-14T12:00:00.000Z'],
      ['7d', '2026-01-08T12:00:00.000Z'],
      ['30d', '2025-12-16T12:00:00.000Z'],
    ] as const)('leaves the resolution of %s to the hub', (preset, from) => {
      const params = historyQuery({ kind: 'preset', preset }, 'web-01', NOW);
      expect(params).toEqual({
        from,
        to: '2026-01-15T12:00:00.000Z',
        agent_id: 'web-01',
        metrics: CHART_METRICS.join(','),
      });
      expect('resolution' in params).toBe(false);
    });

    it('sends a custom range as given, resolution left to the hub', () => {
      const from = new Date('2026-01-10T08:00:00.000Z');
      const to = new Date('2026-01-10T09:30:00.000Z');
      const params = historyQuery({ kind: 'custom', from, to }, 'local', NOW);
      expect(params.from).toBe('2026-01-10T08:00:00.000Z');
      expect(params.to).toBe('2026-01-10T09:30:00.000Z');
      expect(params.resolution).toBeUndefined();
    });
  });

  describe(resolveRange.name, () => {
    it('ends presets now', () => {
      const { from, to } = resolveRange({ kind: 'preset', preset: '24h' }, NOW);
      expect(to).toBe(NOW);
      expect(NOW.getTime() - from.getTime()).toBe(24 * 3_600_000);
    });
  });

  describe(axisFormat.name, () => {
    it('shows clock times within a day and dates beyond', () => {
      const at = new Date(2026, 0, 15, 9, 30);
      const format = (value: Date, style: TimeStyle) =>
        formatTime(value, style, undefined, 'en-GB');
      expect(axisFormat(3_600_000, format)(at)).toBe('09:30');
      expect(axisFormat(7 * 24 * 3_600_000, format)(at)).toBe('15 Jan, 09:30');
    });
  });
});
