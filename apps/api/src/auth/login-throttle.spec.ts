import { AppError } from '../common/errors';
import { LoginThrottle, MAX_TRACKED_PAIRS } from './login-throttle';

const throttle = () => new LoginThrottle({ loginMaxFailures: 3, loginLockout: 60 });

/** The error `begin` throws, or null when the attempt may go ahead. */
function attempt(
  t: LoginThrottle,
  user = 'alice',
  ip: string | null = '10.0.0.1',
): AppError | null {
  try {
    t.begin(user, ip);
    return null;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

describe(LoginThrottle.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('begin', () => {
    it('locks the pair after the configured number of failures, with retry_after', () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) expect(attempt(t)).toBeNull();
      jest.advanceTimersByTime(10_500);
      const err = attempt(t);
      expect(err).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        details: { retry_after: 50 },
      });
    });

    it('counts each pair on its own, the username in any case', () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) attempt(t, 'Alice', '10.0.0.1');
      expect(attempt(t, 'ALICE', '10.0.0.1')).not.toBeNull();
      expect(attempt(t, 'alice', '10.0.0.2')).toBeNull();
      expect(attempt(t, 'bob', '10.0.0.1')).toBeNull();
    });

    it('lifts the lock when the lockout has passed', () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) attempt(t);
      jest.advanceTimersByTime(59_999);
      expect(attempt(t)).not.toBeNull();
      jest.advanceTimersByTime(1);
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).toBeNull();
    });

    it('forgets failures older than the window', () => {
      const t = throttle();
      attempt(t);
      attempt(t);
      jest.advanceTimersByTime(60_000);
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).not.toBeNull();
    });

    it('stops parallel attempts that have not finished yet', () => {
      const t = throttle();
      // Three attempts start before any of them has been judged: the fourth is refused.
      for (let i = 0; i < 3; i++) t.begin('alice', '10.0.0.1');
      expect(attempt(t)).not.toBeNull();
    });
  });

  describe('succeeded', () => {
    it('forgives earlier failures of the pair', () => {
      const t = throttle();
      attempt(t);
      attempt(t);
      t.succeeded('ALICE', '10.0.0.1');
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).toBeNull();
      expect(attempt(t)).not.toBeNull();
    });
  });

  it('stays bounded in size, dropping the least recently used pairs', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) attempt(t, 'locked', '10.0.0.9');
    for (let i = 0; i < MAX_TRACKED_PAIRS + 50; i++) attempt(t, `spray-${i}`, '10.0.0.1');
    expect(t.size).toBe(MAX_TRACKED_PAIRS);
    // The oldest pair made way for newer ones.
    expect(attempt(t, 'locked', '10.0.0.9')).toBeNull();
  });

  it('drops expired pairs before live ones when full', () => {
    const t = throttle();
    for (let i = 0; i < MAX_TRACKED_PAIRS; i++) attempt(t, `old-${i}`, '10.0.0.1');
    jest.advanceTimersByTime(60_000);
    for (let i = 0; i < 3; i++) attempt(t, 'fresh', '10.0.0.2');
    attempt(t, 'one-more', '10.0.0.3');
    expect(t.size).toBe(2);
    expect(attempt(t, 'fresh', '10.0.0.2')).not.toBeNull();
  });
});
