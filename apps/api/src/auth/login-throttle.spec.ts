import { AppError } from '../common/errors';
import { MemoryRateCounter } from '../common/rate-counter';
import { LoginThrottle, MAX_TRACKED_ADDRESSES, MAX_TRACKED_PAIRS } from './login-throttle';

let counter: MemoryRateCounter;

const throttle = (loginAddressMaxFailures = 1_000_000) => {
  counter = new MemoryRateCounter();
  return new LoginThrottle(
    {
      loginMaxFailures: 3,
      loginLockout: 60,
      loginAddressMaxFailures,
      registrationsPerHour: 2,
    },
    counter,
  );
};

/** The error `begin` throws, or null when the attempt may go ahead. */
function attempt(
  t: LoginThrottle,
  user = 'alice',
  ip: string | null = '10.0.0.1',
): Promise<AppError | null> {
  return refusal(() => t.begin(user, ip));
}

async function refusal(fn: () => Promise<void>): Promise<AppError | null> {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

/** An address unique to `i`, so a test can use more addresses than the table holds. */
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe(LoginThrottle.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('begin', () => {
    it('locks the pair after the configured number of failures, with retry_after', async () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) expect(await attempt(t)).toBeNull();
      jest.advanceTimersByTime(10_500);
      const err = await attempt(t);
      expect(err).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        details: { retry_after: 50 },
      });
    });

    it('counts each pair on its own, the username in any case', async () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) await attempt(t, 'Alice', '10.0.0.1');
      expect(await attempt(t, 'ALICE', '10.0.0.1')).not.toBeNull();
      expect(await attempt(t, 'alice', '10.0.0.2')).toBeNull();
      expect(await attempt(t, 'bob', '10.0.0.1')).toBeNull();
    });

    it('lifts the lock when the lockout has passed', async () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) await attempt(t);
      jest.advanceTimersByTime(59_999);
      expect(await attempt(t)).not.toBeNull();
      jest.advanceTimersByTime(1);
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).toBeNull();
    });

    it('forgets failures older than the window', async () => {
      const t = throttle();
      await attempt(t);
      await attempt(t);
      jest.advanceTimersByTime(60_000);
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).not.toBeNull();
    });

    it('stops parallel attempts that have not finished yet', async () => {
      const t = throttle();
      // Three attempts start before any of them has been judged: the fourth is refused.
      await Promise.all([1, 2, 3].map(() => t.begin('alice', '10.0.0.1')));
      expect(await attempt(t)).not.toBeNull();
    });
  });

  describe('succeeded', () => {
    it('forgives earlier failures of the pair', async () => {
      const t = throttle();
      await attempt(t);
      await attempt(t);
      await t.succeeded('ALICE', '10.0.0.1');
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).toBeNull();
      expect(await attempt(t)).not.toBeNull();
    });
  });

  describe('per address', () => {
    it('locks every login from an address after its failures with many usernames', async () => {
      const t = throttle(5);
      for (let i = 0; i < 5; i++) expect(await attempt(t, `spray-${i}`)).toBeNull();
      expect(await attempt(t, 'someone-new')).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        details: { retry_after: 60 },
      });
      expect(await attempt(t, 'spray-0', '10.0.0.2')).toBeNull();
      jest.advanceTimersByTime(60_000);
      expect(await attempt(t, 'someone-new')).toBeNull();
    });

    it('takes back only the successful attempt, not earlier failures', async () => {
      const t = throttle(5);
      for (let i = 0; i < 4; i++) await attempt(t, `spray-${i}`);
      expect(await attempt(t, 'alice')).toBeNull();
      await t.succeeded('alice', '10.0.0.1');
      expect(await attempt(t, 'spray-9')).toBeNull();
      expect(await attempt(t, 'alice')).not.toBeNull();
    });

    it('takes back attempts refused for load', async () => {
      const t = throttle(2);
      await attempt(t, 'a');
      await attempt(t, 'b');
      await t.forgive('b', '10.0.0.1');
      expect(await attempt(t, 'c')).toBeNull();
      expect(await attempt(t, 'd')).not.toBeNull();
    });
  });

  describe('when its tables are full', () => {
    it('keeps a locked pair locked however many other usernames fail', async () => {
      const t = throttle();
      for (let i = 0; i < 3; i++) await attempt(t, 'locked', '10.0.0.9');
      for (let i = 0; i < MAX_TRACKED_PAIRS * 2; i++) await attempt(t, `spray-${i}`, '10.0.0.1');
      expect(counter.size(t.pairs)).toBeLessThanOrEqual(MAX_TRACKED_PAIRS);
      expect(await attempt(t, 'locked', '10.0.0.9')).toMatchObject({ status: 429 });
    });

    it('drops expired pairs before unlocked live ones', async () => {
      const t = throttle();
      for (let i = 0; i < MAX_TRACKED_PAIRS; i++) await attempt(t, `old-${i}`, '10.0.0.1');
      jest.advanceTimersByTime(60_000);
      for (let i = 0; i < 3; i++) await attempt(t, 'fresh', '10.0.0.2');
      await attempt(t, 'one-more', '10.0.0.3');
      expect(counter.size(t.pairs)).toBe(2);
      expect(await attempt(t, 'fresh', '10.0.0.2')).not.toBeNull();
    });

    it('refuses new pairs rather than forget locks once every pair is locked', async () => {
      const t = throttle();
      for (let i = 0; i < MAX_TRACKED_PAIRS; i++) {
        for (let j = 0; j < 3; j++) await attempt(t, 'alice', addressOf(i));
      }
      jest.advanceTimersByTime(20_000);
      expect(await attempt(t, 'bob', '192.168.0.1')).toMatchObject({
        status: 429,
        details: { retry_after: 40 },
      });
      expect(await attempt(t, 'alice', addressOf(0))).toMatchObject({ status: 429 });
      jest.advanceTimersByTime(40_000);
      expect(await attempt(t, 'bob', '192.168.0.1')).toBeNull();
    });

    it('keeps a locked address locked however many other addresses fail', async () => {
      const t = throttle(2);
      for (let i = 0; i < 2; i++) await attempt(t, `x-${i}`, '172.16.0.1');
      for (let i = 0; i < MAX_TRACKED_ADDRESSES * 2; i++) await attempt(t, 'alice', addressOf(i));
      expect(await attempt(t, 'someone', '172.16.0.1')).toMatchObject({ status: 429 });
    });
  });

  describe('beginRegistration', () => {
    it('allows the configured registrations per address per hour', async () => {
      const t = throttle();
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toBeNull();
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toBeNull();
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        details: { retry_after: 3600 },
      });
      expect(await refusal(() => t.beginRegistration('10.0.0.2'))).toBeNull();
      jest.advanceTimersByTime(3600_000);
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toBeNull();
    });

    it('does not count a registration it is told to forgive', async () => {
      const t = throttle();
      await t.beginRegistration('10.0.0.1');
      await t.forgiveRegistration('10.0.0.1');
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toBeNull();
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).toBeNull();
      expect(await refusal(() => t.beginRegistration('10.0.0.1'))).not.toBeNull();
    });
  });
});
