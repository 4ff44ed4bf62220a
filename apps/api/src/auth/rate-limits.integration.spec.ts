import { expectError, expectJson, USER_PASSWORD } from '../test/api';
import { ADMIN_PASSWORD, DB_KINDS, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('sign-in and sign-up rate limits on %s', (kind) => {
  let hub: TestHub;
  beforeAll(async () => {
    // Small budgets keep the tests short; the proxy hop lets each test pose as its own client
    // address through X-Forwarded-For.
    hub = await startHub(kind, {
      TYTO_TRUST_PROXY: '1',
      TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
      TYTO_ALLOW_REGISTRATION: 'true',
      TYTO_REGISTRATIONS_PER_HOUR: '2',
    });
  });
  afterAll(async () => {
    await hub.close();
  });

  const loginFrom = (ip: string, username: string, password = 'wrong-password-1') =>
    hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'x-forwarded-for': ip },
      json: { username, password },
    });

  describe('POST /api/v1/auth/login', () => {
    it('locks an address out after failures with different usernames, others unaffected', async () => {
      for (let i = 0; i < 5; i++) {
        await expectError(
          await loginFrom('198.51.100.1', `spray-${i}`),
          401,
          'INVALID_CREDENTIALS',
        );
      }
      const refused = await loginFrom('198.51.100.1', 'spray-new');
      const body = await expectError(refused, 429, 'RATE_LIMITED');
      expect(body.details['retry_after']).toEqual(expect.any(Number));
      expect(refused.headers.get('retry-after')).toBe(String(body.details['retry_after']));
      // Every login from that address, the right password too.
      await expectError(
        await loginFrom('198.51.100.1', 'admin', ADMIN_PASSWORD),
        429,
        'RATE_LIMITED',
      );
      // Another address signs in as usual.
      expect((await loginFrom('198.51.100.2', 'admin', ADMIN_PASSWORD)).status).toBe(200);
      await expectError(await loginFrom('198.51.100.2', 'spray-0'), 401, 'INVALID_CREDENTIALS');
    });

    it('does not reset the address budget on a successful login', async () => {
      for (let i = 0; i < 4; i++) await loginFrom('198.51.100.3', `spray-${i}`);
      expect((await loginFrom('198.51.100.3', 'admin', ADMIN_PASSWORD)).status).toBe(200);
      await expectError(await loginFrom('198.51.100.3', 'spray-9'), 401, 'INVALID_CREDENTIALS');
      await expectError(
        await loginFrom('198.51.100.3', 'admin', ADMIN_PASSWORD),
        429,
        'RATE_LIMITED',
      );
    });

    it('answers logins beyond the hashing queue with 429 and Retry-After', async () => {
      // 2 hashing and 32 waiting at most: a burst of 48 from as many addresses overflows it.
      const answers = await Promise.all(
        Array.from({ length: 48 }, (_, i) =>
          loginFrom(`203.0.113.${i + 1}`, 'admin', 'wrong-password'),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
      const busy = answers.find((r) => r.status === 429);
      expect(busy?.headers.get('retry-after')).toBe('1');
      // A refusal for load is no lockout: that address signs in right after.
      const ip = `203.0.113.${statuses.indexOf(429) + 1}`;
      expect((await loginFrom(ip, 'admin', ADMIN_PASSWORD)).status).toBe(200);
    });
  });

  describe('POST /api/v1/auth/register', () => {
    const registerFrom = (ip: string, username: string, password = USER_PASSWORD) =>
      hub.fetch('/api/v1/auth/register', {
        method: 'POST',
        headers: { 'x-forwarded-for': ip },
        json: { username, password },
      });

    it('allows a few registrations per address per hour, then 429', async () => {
      // A password the policy refuses created nothing and does not count.
      await expectError(
        await registerFrom('198.51.100.20', 'weak', 'short-pass'),
        400,
        'WEAK_PASSWORD',
      );
      await expectJson(await registerFrom('198.51.100.20', 'first'), 201);
      await expectJson(await registerFrom('198.51.100.20', 'second'), 201);
      const refused = await registerFrom('198.51.100.20', 'third');
      await expectError(refused, 429, 'RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
      await expectJson(await registerFrom('198.51.100.21', 'third'), 201);
    });
  });
});
