import {
  CHART_METRICS,
  axisFormat,
  customRangeProblem,
  formatWallTime,
  historyQuery,
  parseWallTime,
  resolveRange,
  usesHour12,
  wallClock,
  zonedDate,
} from './history-range';
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

  describe(parseWallTime.name, () => {
    it.each([
      ['14:05', { hour: 14, minute: 5 }],
      ['9:05', { hour: 9, minute: 5 }],
      ['0905', { hour: 9, minute: 5 }],
      ['9.05', { hour: 9, minute: 5 }],
      ['00:00', { hour: 0, minute: 0 }],
      ['9 pm', { hour: 21, minute: 0 }],
      ['9:05 AM', { hour: 9, minute: 5 }],
      ['12:30 AM', { hour: 0, minute: 30 }],
      ['12:30 p.m.', { hour: 12, minute: 30 }],
      [' 11:59pm ', { hour: 23, minute: 59 }],
    ])('reads %p', (text, time) => {
      expect(parseWallTime(text)).toEqual(time);
    });

    it.each(['', '24:00', '9:60', '13 pm', '0 am', 'noon', '9:5', '12:30:10'])(
      'refuses %p',
      (text) => {
        expect(parseWallTime(text)).toBeNull();
      },
    );
  });

  describe(formatWallTime.name, () => {
    it('writes the clock the user reads', () => {
      expect(formatWallTime({ hour: 9, minute: 5 }, false)).toBe('09:05');
      expect(formatWallTime({ hour: 0, minute: 30 }, true)).toBe('12:30 AM');
      expect(formatWallTime({ hour: 12, minute: 0 }, true)).toBe('12:00 PM');
      expect(formatWallTime({ hour: 23, minute: 59 }, true)).toBe('11:59 PM');
    });

    it('round-trips through parseWallTime on both clocks', () => {
      for (const hour12 of [false, true])
        for (const hour of [0, 1, 11, 12, 13, 23]) {
          const time = { hour, minute: 7 };
          expect(parseWallTime(formatWallTime(time, hour12))).toEqual(time);
        }
    });
  });

  describe(zonedDate.name, () => {
    it('reads a day and time on a UTC clock', () => {
      const date = zonedDate({ year: 2026, month: 1, day: 5 }, { hour: 7, minute: 9 }, 'UTC');
      expect(date.toISOString()).toBe('2026-01-05T07:09:00.000Z');
      expect(wallClock(date, 'UTC')).toEqual({ year: 2026, month: 1, day: 5, hour: 7, minute: 9 });
    });

    it('reads a day and time on the browser’s clock', () => {
      const date = zonedDate({ year: 2026, month: 1, day: 5 }, { hour: 7, minute: 9 }, 'browser');
      expect(date).toEqual(new Date(2026, 0, 5, 7, 9));
      expect(wallClock(date, 'browser')).toMatchObject({ day: 5, hour: 7, minute: 9 });
    });
  });

  describe(usesHour12.name, () => {
    it('takes the user’s choice over the locale’s', () => {
      expect(usesHour12({ hourCycle: '12', timeZone: 'UTC' }, 'de-DE')).toBe(true);
      expect(usesHour12({ hourCycle: '24', timeZone: 'UTC' }, 'en-US')).toBe(false);
      expect(usesHour12({ hourCycle: 'locale', timeZone: 'UTC' }, 'en-US')).toBe(true);
      expect(usesHour12({ hourCycle: 'locale', timeZone: 'UTC' }, 'de-DE')).toBe(false);
    });
  });

  describe(customRangeProblem.name, () => {
    const from = new Date('2026-01-15T10:00:00Z');
    const to = new Date('2026-01-15T11:00:00Z');

    it('accepts a range in the past', () => {
      expect(customRangeProblem(from, to, NOW)).toBeNull();
    });

    it('explains what is wrong', () => {
      expect(customRangeProblem(null, to, NOW)).toBe('Enter both a start and an end.');
      expect(customRangeProblem(to, from, NOW)).toBe('The start must be before the end.');
      expect(customRangeProblem(from, from, NOW)).toBe('The start must be before the end.');
      expect(
        customRangeProblem(new Date('2026-01-16T00:00:00Z'), new Date('2026-01-17T00:00:00Z'), NOW),
      ).toBe('The start is in the future.');
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
