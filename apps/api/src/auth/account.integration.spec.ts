import { MeResponseSchema, UserSchema, type ErrorBody } from '@tyto/contracts';
import { createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DB_KINDS)('own account and login limits on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    // A 2 s lockout keeps the recovery test short; the proxy hop lets each test pose as its
    // own client address through X-Forwarded-For.
    hub = await startHub(kind, {
      TYTO_ALLOW_REGISTRATION: 'true',
      TYTO_LOGIN_LOCKOUT: '2',
      TYTO_TRUST_PROXY: '1',
    });
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  const loginFrom = (ip: string, username: string, password: string) =>
    hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'x-forwarded-for': ip },
      json: { username, password },
    });
  const me = async (token: string) =>
    MeResponseSchema.parse(await expectJson(await hub.fetch('/api/v1/auth/me', { token }), 200));

  describe('POST /api/v1/auth/register (enabled)', () => {
    const register = (json: unknown) =>
      hub.fetch('/api/v1/auth/register', { method: 'POST', json });

    it('creates a viewer who can sign in', async () => {
      const res = await register({
        username: 'newuser',
        password: USER_PASSWORD,
        email: 'user@example.com',
      });
      const user = UserSchema.strict().parse(await expectJson(res, 201));
      expect(user).toMatchObject({
        username: 'newuser',
        email: 'user@example.com',
        roles: ['viewer'],
        auth_provider: 'local',
        disabled: false,
      });
      const token = await hub.login('newuser', USER_PASSWORD);
      expect((await me(token)).roles).toEqual(['viewer']);
    });

    it('cannot choose roles', async () => {
      const res = await register({ username: 'sneaky', password: USER_PASSWORD, roles: ['admin'] });
      await expectError(res, 400, 'VALIDATION_FAILED');
    });

    it('applies the password policy, username uniqueness and email validation', async () => {
      await expectError(
        await register({ username: 'shorty', password: 'short-pass' }),
        400,
        'WEAK_PASSWORD',
      );
      await expectError(
        await register({ username: 'ADMIN', password: USER_PASSWORD }),
        409,
        'USERNAME_TAKEN',
      );
      await expectError(
        await register({ username: 'mailer', password: USER_PASSWORD, email: 'mailer@' }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('PUT /api/v1/auth/me', () => {
    it('changes and clears one’s own email', async () => {
      await createUser(hub, admin, { username: 'profile' });
      const token = await hub.login('profile', USER_PASSWORD);
      const put = (json: unknown) => hub.fetch('/api/v1/auth/me', { method: 'PUT', token, json });

      const updated = MeResponseSchema.strict().parse(
        await expectJson(await put({ email: 'me@example.com' }), 200),
      );
      expect(updated).toMatchObject({ username: 'profile', email: 'me@example.com' });
      expect((await me(token)).email).toBe('me@example.com');
      await expectError(await put({ email: 'me at example' }), 400, 'VALIDATION_FAILED');
      await expectError(await put({ username: 'renamed' }), 400, 'VALIDATION_FAILED');
      expect((await expectJson<{ email: null }>(await put({ email: null }), 200)).email).toBeNull();
    });
  });

  describe('PUT /api/v1/auth/me/password', () => {
    it('needs the current password and a policy-conforming new one', async () => {
      await createUser(hub, admin, { username: 'changer' });
      const token = await hub.login('changer', USER_PASSWORD);
      const change = (json: unknown) =>
        hub.fetch('/api/v1/auth/me/password', { method: 'PUT', token, json });
      await expectError(
        await change({ current_password: 'not-my-password', new_password: 'brand-new-password' }),
        400,
        'INVALID_CURRENT_PASSWORD',
      );
      const weak = await change({ current_password: USER_PASSWORD, new_password: 'tiny' });
      expect((await expectError(weak, 400, 'WEAK_PASSWORD')).details).toEqual({ min_length: 12 });
      await expectError(
        await change({ new_password: 'brand-new-password' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(await hub.login('changer', USER_PASSWORD)).toEqual(expect.any(String));
    });

    it('ends every other session of the user and keeps the current one', async () => {
      await createUser(hub, admin, { username: 'rotator' });
      const current = await hub.login('rotator', USER_PASSWORD);
      const other = await hub.login('rotator', USER_PASSWORD);
      const res = await hub.fetch('/api/v1/auth/me/password', {
        method: 'PUT',
        token: current,
        json: { current_password: USER_PASSWORD, new_password: 'rotated-password-1' },
      });
      expect(res.status).toBe(204);
      expect((await me(current)).username).toBe('rotator');
      await expectError(
        await hub.fetch('/api/v1/auth/me', { token: other }),
        401,
        'SESSION_EXPIRED',
      );
      await expect(hub.login('rotator', USER_PASSWORD)).rejects.toThrow(/401/);
      expect(await hub.login('rotator', 'rotated-password-1')).toEqual(expect.any(String));
    });
  });

  describe('login rate limiting', () => {
    it('locks a (username, address) pair out with 429 after 5 failures, then recovers', async () => {
      await createUser(hub, admin, { username: 'target' });
      for (let i = 0; i < 5; i++) {
        await expectError(
          await loginFrom('10.0.0.1', 'target', 'wrong-guess'),
          401,
          'INVALID_CREDENTIALS',
        );
      }
      const locked = await loginFrom('10.0.0.1', 'TARGET', USER_PASSWORD);
      const body = await expectError(locked, 429, 'RATE_LIMITED');
      const retryAfter = body.details['retry_after'];
      expect(retryAfter).toEqual(expect.any(Number));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2);
      expect(locked.headers.get('retry-after')).toBe(String(retryAfter));

      // Another address is not locked out, so an attacker cannot lock the real user out.
      expect((await loginFrom('10.0.0.2', 'target', USER_PASSWORD)).status).toBe(200);

      await sleep(2100);
      expect((await loginFrom('10.0.0.1', 'target', USER_PASSWORD)).status).toBe(200);
    });

    it('treats unknown users exactly like wrong passwords', async () => {
      await createUser(hub, admin, { username: 'known' });
      const answers = async (username: string, ip: string) => {
        const out: { status: number; body: ErrorBody }[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await loginFrom(ip, username, 'wrong-guess');
          out.push({ status: res.status, body: (await res.json()) as ErrorBody });
        }
        // retry_after depends on the clock; everything else must match.
        return out.map((a) => ({
          ...a,
          body: { ...a.body, details: Object.keys(a.body.details) },
        }));
      };
      expect(await answers('no-such-user', '10.0.1.1')).toEqual(await answers('known', '10.0.1.2'));
      expect((await answers('known', '10.0.1.2')).map((a) => a.status)).toEqual(Array(6).fill(429));
    });

    it('takes about as long for an unknown user as for a wrong password', async () => {
      await createUser(hub, admin, { username: 'timed' });
      const median = async (username: string, ip: string) => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          expect((await loginFrom(ip, username, 'wrong-guess')).status).toBe(401);
          times.push(performance.now() - t);
        }
        return times.sort((a, b) => a - b)[1];
      };
      const known = await median('timed', '10.0.2.1');
      const unknown = await median('nobody-here', '10.0.2.2');
      // Without the dummy hash an unknown user answers over ten times faster; allow for noise.
      expect(unknown).toBeGreaterThan(known / 3);
    });

    it('counts wrong current passwords toward the same lockout', async () => {
      await createUser(hub, admin, { username: 'guessed' });
      const login = await loginFrom('10.0.3.1', 'guessed', USER_PASSWORD);
      const { token } = (await login.json()) as { token: string };
      const guess = () =>
        hub.fetch('/api/v1/auth/me/password', {
          method: 'PUT',
          token,
          headers: { 'x-forwarded-for': '10.0.3.1' },
          json: { current_password: 'wrong-guess', new_password: 'another-password' },
        });
      for (let i = 0; i < 5; i++) await expectError(await guess(), 400, 'INVALID_CURRENT_PASSWORD');
      await expectError(await guess(), 429, 'RATE_LIMITED');
    });
  });
});
