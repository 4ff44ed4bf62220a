import { ERROR_CODES, ERROR_STATUS } from './errors';

describe('ERROR_STATUS', () => {
  it('gives every code one client or server error status', () => {
    for (const code of ERROR_CODES) {
      expect([code, ERROR_STATUS[code] >= 400 && ERROR_STATUS[code] <= 599]).toEqual([code, true]);
    }
  });

  it('is the list of codes', () => {
    expect(ERROR_CODES).toEqual(Object.keys(ERROR_STATUS));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
