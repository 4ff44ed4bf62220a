import { isoUtc } from './iso-time';

describe(isoUtc.name, () => {
  it('matches toISOString across days, years, leap days and every millisecond position', () => {
    const starts = [0, Date.UTC(2024, 1, 28, 23, 59, 59, 999), Date.UTC(2026, 11, 31, 23, 59, 58)];
    for (const start of starts) {
      for (let ms = start; ms < start + 3_000; ms += 7) {
        expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
      }
    }
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Math.random() * Date.UTC(2100, 0, 1));
      expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
