import { request } from 'node:https';
import { AgentListenerService } from '../agents/listener/agent-listener.service';
import { ENROLLMENTS_PER_MINUTE } from '../agents/enrollment-limit';
import { expectError, expectJson, USER_PASSWORD } from '../test/api';
import { ADMIN_PASSWORD, startHub, type TestHub } from '../test/hub';
import {
  dropRedisKeys,
  redisKeys,
  redisRelay,
  TEST_REDIS_URL,
  testRedisPrefix,
} from '../test/shared-redis';

/** GET on a hub's agent listener (self-signed to the test: not verified); status and body. */
function listenerGet(hub: TestHub, pathname: string): Promise<{ status: number; body: string }> {
  const port = hub.app.get(AgentListenerService).port;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: pathname, method: 'GET', rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// Two replicas (each with its own SQLite data dir) sharing one Redis prefix: the budgets are
// the pair's, so alternating between them gains an attacker nothing.
describe('rate limits shared through Redis by two hubs', () => {
  const prefix = testRedisPrefix();
  const env = {
    TYTO_REDIS_URL: TEST_REDIS_URL,
    TYTO_REDIS_PREFIX: prefix,
    TYTO_TRUST_PROXY: '1',
    TYTO_LOGIN_MAX_FAILURES: '3',
    TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
    TYTO_ALLOW_REGISTRATION: 'true',
    TYTO_REGISTRATIONS_PER_HOUR: '2',
  };
  let a: TestHub;
  let b: TestHub;
  beforeAll(async () => {
    a = await startHub('sqlite', { ...env, TYTO_REPLICA_ID: 'hub-a' });
    b = await startHub('sqlite', { ...env, TYTO_REPLICA_ID: 'hub-b' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropRedisKeys(prefix);
    expect(await redisKeys(prefix)).toEqual([]);
  });

  const loginOn = (hub: TestHub, ip: string, username: string, password = 'wrong-password-1') =>
    hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'x-forwarded-for': ip },
      json: { username, password },
    });

  it('locks a (username, address) pair out after failures spread across both hubs', async () => {
    await expectError(await loginOn(a, '198.51.100.10', 'admin'), 401, 'INVALID_CREDENTIALS');
    await expectError(await loginOn(b, '198.51.100.10', 'admin'), 401, 'INVALID_CREDENTIALS');
    await expectError(await loginOn(a, '198.51.100.10', 'admin'), 401, 'INVALID_CREDENTIALS');
    for (const hub of [b, a]) {
      const refused = await loginOn(hub, '198.51.100.10', 'admin', ADMIN_PASSWORD);
      const body = await expectError(refused, 429, 'RATE_LIMITED');
      expect(refused.headers.get('retry-after')).toBe(String(body.details['retry_after']));
    }
    // The same user from another address is not locked out, on either hub.
    expect((await loginOn(b, '198.51.100.11', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('shares the per-address budget: a spray alternating hubs is stopped on both', async () => {
    for (let i = 0; i < 5; i++) {
      const hub = i % 2 ? b : a;
      await expectError(
        await loginOn(hub, '198.51.100.20', `spray-${i}`),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    await expectError(await loginOn(a, '198.51.100.20', 'spray-new'), 429, 'RATE_LIMITED');
    await expectError(await loginOn(b, '198.51.100.20', 'spray-new'), 429, 'RATE_LIMITED');
  });

  it('forgives a successful sign-in on one hub for the other too', async () => {
    await loginOn(a, '198.51.100.30', 'admin');
    await loginOn(b, '198.51.100.30', 'admin');
    expect((await loginOn(a, '198.51.100.30', 'admin', ADMIN_PASSWORD)).status).toBe(200);
    // The pair's failures are gone everywhere: three fresh failures before a lock.
    await loginOn(b, '198.51.100.30', 'admin');
    await loginOn(b, '198.51.100.30', 'admin');
    await expectError(await loginOn(a, '198.51.100.30', 'admin'), 401, 'INVALID_CREDENTIALS');
    await expectError(await loginOn(b, '198.51.100.30', 'admin'), 429, 'RATE_LIMITED');
  });

  it('shares the registration budget per address', async () => {
    const registerOn = (hub: TestHub, username: string) =>
      hub.fetch('/api/v1/auth/register', {
        method: 'POST',
        headers: { 'x-forwarded-for': '198.51.100.40' },
        json: { username, password: USER_PASSWORD },
      });
    await expectJson(await registerOn(a, 'first'), 201);
    await expectJson(await registerOn(b, 'second'), 201);
    await expectError(await registerOn(a, 'third'), 429, 'RATE_LIMITED');
    await expectError(await registerOn(b, 'third'), 429, 'RATE_LIMITED');
  });

  it('shares the enrollment limit of the agent listeners', async () => {
    for (let i = 0; i < ENROLLMENTS_PER_MINUTE; i++) {
      const r = await listenerGet(i % 2 ? b : a, '/enroll/no-such-request');
      expect(r.status).toBe(404);
    }
    for (const hub of [a, b]) {
      const r = await listenerGet(hub, '/enroll/no-such-request');
      expect(r.status).toBe(429);
      expect(JSON.parse(r.body)).toMatchObject({
        code: 'RATE_LIMITED',
        details: { retry_after_s: expect.any(Number) },
      });
    }
  });

  it('stores its counters under the prefix only', async () => {
    const keys = await redisKeys(prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${prefix}rate:`))).toBe(true);
  });
});

describe('a hub whose Redis goes away', () => {
  const prefix = testRedisPrefix();
  let hub: TestHub;
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  beforeAll(async () => {
    relay = await redisRelay();
    hub = await startHub('sqlite', { TYTO_REDIS_URL: relay.url, TYTO_REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    await hub?.close();
    await dropRedisKeys(prefix);
  });

  it('refuses sign-in with 503 RATE_LIMIT_UNAVAILABLE rather than count nowhere', async () => {
    const token = await hub.login();
    await relay.cut();
    const res = await hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'admin', password: ADMIN_PASSWORD },
    });
    await expectError(res, 503, 'RATE_LIMIT_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('5');
    // Signed-in users carry on: sessions do not depend on Redis.
    expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);
  });
});
