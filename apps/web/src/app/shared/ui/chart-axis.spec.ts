import { pointCount, timeSpan, timeTicks } from './chart-axis';

describe(timeTicks.name, () => {
  it('spreads five ticks from the first to the last time, however many samples there are', () => {
    const ticks = timeTicks(0, 3_600_000);
    expect(ticks.map((t) => t.getTime())).toEqual([0, 900_000, 1_800_000, 2_700_000, 3_600_000]);
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
