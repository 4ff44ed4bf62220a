import { pointCount, timeSpan, timeTicks } from './chart-axis';

describe(timeTicks.name, () => {
  const at = (hh: number, mm: number, ss = 0) => new Date(2026, 11, 1, hh, mm, ss).getTime();

  it('puts a handful of ticks on round times, however many samples there are', () => {
    const ticks = timeTicks(at(12, 3, 17), at(13, 3, 17));
    expect(ticks.map((t) => [t.getHours(), t.getMinutes()])).toEqual([
      [12, 15],
      [12, 30],
      [12, 45],
      [13, 0],
    ]);
  });

  it('uses seconds on a short live span and never more than asked for', () => {
    const ticks = timeTicks(at(12, 0, 1), at(12, 0, 21));
    expect(ticks.map((t) => t.getSeconds())).toEqual([5, 10, 15, 20]);
    expect(timeTicks(at(0, 0), at(0, 0) + 30 * 86_400_000).length).toBeLessThanOrEqual(5);
  });

  it('has no ticks without a span', () => {
    expect(timeTicks(5, 5)).toEqual([]);
    expect(timeTicks(Infinity, -Infinity)).toEqual([]);
  });
});

describe(timeSpan.name, () => {
  it('is the earliest and latest time over every series', () => {
    const at = (ms: number) => ({ name: new Date(ms), value: 0 });
    const span = timeSpan([
      { name: 'a', series: [at(20), at(30)] },
      { name: 'b', series: [at(10), at(25)] },
    ]);
    expect(span).toEqual({ min: 10, max: 30 });
    expect(pointCount([{ name: 'a', series: [at(1), at(2)] }])).toBe(2);
  });
});
