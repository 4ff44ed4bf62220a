import { isoUtc } from './iso-time';

const iso = (ms: number) => new Date(ms).toISOString();

describe(isoUtc.name, () => {
  it('matches toISOString across days, years, leap days and every millisecond position', () => {
    const starts = [
      0,
      Date.UTC(2024, 1, 28, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 23, 59, 58, 500),
      Date.UTC(2026, 11, 31, 23, 59, 58),
      Date.UTC(2000, 1, 29, 23, 59, 59),
      Date.UTC(1900, 1, 28, 23, 59, 59),
      Date.UTC(1969, 11, 31, 23, 59, 58),
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 3_000; ms += 7) expect(isoUtc(ms)).toBe(iso(ms));
    }
  });

  it('matches toISOString on minute, hour, day and year boundaries and just around them', () => {
    const boundaries = [
      Date.UTC(1970, 0, 1),
      Date.UTC(1999, 11, 31, 23, 59),
      Date.UTC(2000, 0, 1),
      Date.UTC(2024, 1, 29),
      Date.UTC(2024, 2, 1),
      Date.UTC(2025, 0, 1),
      Date.UTC(2100, 1, 28, 23, 59),
      Date.UTC(2100, 2, 1),
      Date.UTC(9999, 11, 31, 23, 59),
    ];
    for (const b of boundaries) {
      for (const d of [-60_001, -60_000, -59_999, -1_000, -1, 0, 1, 999, 1_000, 59_999, 60_000]) {
        expect(isoUtc(b + d)).toBe(iso(b + d));
      }
    }
  });

  it('matches toISOString for random times, on and off the minute', () => {
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.floor(Math.random() * Date.UTC(2200, 0, 1)) - Date.UTC(2000, 0, 1);
      expect(isoUtc(ms)).toBe(iso(ms));
      const minute = ms - (((ms % 60_000) + 60_000) % 60_000);
      expect(isoUtc(minute)).toBe(iso(minute));
      // A second time comes from the cache.
      expect(isoUtc(minute)).toBe(iso(minute));
    }
  });

  it('stays right when the cache of minutes fills up and starts over', () => {
    const start = Date.UTC(2030, 5, 1);
    for (let m = 0; m < 40_000; m += 1) {
      const ms = start + m * 60_000;
      if (isoUtc(ms) !== iso(ms)) expect(isoUtc(ms)).toBe(iso(ms));
    }
    expect(isoUtc(start)).toBe(iso(start));
  });

  it('leaves what toISOString writes differently, or rejects, to toISOString', () => {
    for (const ms of [
      Date.UTC(10000, 0, 1),
      Date.UTC(10000, 0, 1, 0, 0, 1, 5),
      Date.UTC(-1, 0, 1),
      Date.UTC(-1, 0, 1, 0, 0, 30),
      8.64e15,
      -8.64e15,
      1.5,
      Date.UTC(2026, 0, 1) + 0.25,
      -0,
    ]) {
      expect(isoUtc(ms)).toBe(iso(ms));
    }
    for (const ms of [NaN, Infinity, -Infinity, 8.64e15 + 1, 8.64e15 + 60_000]) {
      expect(() => iso(ms)).toThrow(RangeError);
      expect(() => isoUtc(ms)).toThrow(RangeError);
    }
  });
});
