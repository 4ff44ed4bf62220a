import { chooseResolution } from './history-tiers';

const now = Date.UTC(2025, 5, 1);
const H = 3_600_000;
const D = 24 * H;
const retention = { raw: 86400, '1m': 7 * 86400, '5m': 30 * 86400, '1h': 365 * 86400 };
const pick = (rangeMs: number, step = 5, endsAgo = 0) =>
  chooseResolution(now - endsAgo - rangeMs, now - endsAgo, now, retention, step);

describe(chooseResolution.name, () => {
  it('keeps raw while it stays under ~1,000 points', () => {
    expect(pick(H, 5)).toBe('raw'); // 720 points
    expect(pick(H, 1)).toBe('1m'); // 3,600 raw points are too many
  });

  it('steps up as the range grows', () => {
    expect(pick(6 * H)).toBe('1m');
    expect(pick(D)).toBe('5m'); // 1,440 one-minute points are too many
    expect(pick(7 * D)).toBe('1h');
    expect(pick(30 * D)).toBe('1h');
  });

  it('skips tiers whose retention does not reach back to from', () => {
    expect(pick(10 * 60_000, 5, 2 * D)).toBe('1m'); // raw is gone after 24 h
    expect(pick(H, 5, 8 * D)).toBe('5m');
    expect(pick(H, 5, 60 * D)).toBe('1h');
  });

  it('answers the coarsest tier when every one exceeds the budget', () => {
    expect(pick(200 * D)).toBe('1h');
  });

  it('finds nothing beyond the longest retention', () => {
    expect(pick(400 * D)).toBeNull();
  });
});
