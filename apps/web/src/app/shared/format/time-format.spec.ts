import { formatTime } from './time-format';
import { formatAgo, formatDuration } from './format';

describe(formatTime.name, () => {
  const at = new Date('2026-12-01T18:05:07Z');

  it('writes one family of formats, in 24 h or 12 h as chosen', () => {
    const utc24 = { hourCycle: '24', timeZone: 'UTC' } as const;
    expect(formatTime(at, 'time', utc24, 'en-US')).toBe('18:05:07');
    expect(formatTime(at, 'datetime', utc24, 'en-US')).toBe('Dec 1, 2026, 18:05');
    expect(formatTime(at, 'full', utc24, 'en-US')).toBe('Dec 1, 2026, 18:05:07 UTC');
    expect(formatTime(new Date('2026-12-01T18:05:07.042Z'), 'precise', utc24, 'en-US')).toBe(
      'Dec 1, 18:05:07.042',
    );
    expect(formatTime(at, 'time', { hourCycle: '12', timeZone: 'UTC' }, 'en-US')).toBe(
      '06:05:07 PM',
    );
  });

  it('follows the locale', () => {
    expect(formatTime(at, 'datetime', { hourCycle: 'locale', timeZone: 'UTC' }, 'de-DE')).toBe(
      '1. Dez. 2026, 18:05',
    );
  });

  it('shows a dash for what is not a time', () => {
    expect(formatTime('yesterday', 'time')).toBe('–');
  });
});

describe(formatAgo.name, () => {
  it.each([
    [42_000, '42 s ago'],
    [3 * 60_000, '3 min ago'],
    [5 * 3_600_000, '5 h ago'],
    [3 * 86_400_000, '3 d ago'],
  ])('%d ms reads %s', (ms, text) => expect(formatAgo(ms)).toBe(text));
});

describe(formatDuration.name, () => {
  it.each([
    [900, '15 min'],
    [40, '40 s'],
    [3_900, '1 h 5 min'],
    [7_200, '2 h'],
  ])('%d s reads %s', (s, text) => expect(formatDuration(s)).toBe(text));
});
