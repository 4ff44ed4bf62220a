import {
  customRangeProblem,
  formatWallTime,
  parseWallTime,
  usesHour12,
  wallClock,
  zonedDate,
} from './wall-clock';

const NOW = new Date('2026-01-15T12:00:00.000Z');

describe('wall clock', () => {
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
});
