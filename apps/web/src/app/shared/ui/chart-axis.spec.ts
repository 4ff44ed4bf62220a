import { pointCount, tickCount, timeSpan, timeTicks } from './chart-axis';

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

  it('lands on round UTC times when the reader reads UTC', () => {
    const min = Date.parse('2026-12-01T10:07:00Z');
    const ticks = timeTicks(min, min + 6 * 3_600_000, 5, true);
    expect(ticks.map((t) => t.toISOString().slice(11, 16))).toEqual(['12:00', '14:00', '16:00']);
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

describe(tickCount.name, () => {
  it('gives a phone-wide chart two or three labels and a wide one a handful', () => {
    // A chart in a card on a 390 px screen is about 330 px wide.
    expect(tickCount(330, '14:05')).toBe(4);
    expect(tickCount(330, '02:05 PM')).toBe(3);
    expect(tickCount(330, 'Dec 1, 02:05 PM')).toBe(2);
    expect(tickCount(1200, '14:05')).toBe(6);
    expect(tickCount(100, 'Dec 1, 02:05 PM')).toBe(2);
  });

  it('leaves every label its width and a gap on the plot', () => {
    for (const width of [300, 360, 480, 720, 1000]) {
      for (const label of ['14:05:07', '02:05:07 PM', 'Dec 1, 14:05', 'Dec 1, 02:05 PM']) {
        const n = tickCount(width, label);
        // Ticks are at most the plot width over n apart; each label fits in that.
        if (n > 2) expect(n * (label.length * 7 + 24)).toBeLessThanOrEqual(width - 56);
      }
    }
  });
});
