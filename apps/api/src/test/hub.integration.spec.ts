import {
  LoginResponseSchema,
  MeResponseSchema,
  METRICS_SECTIONS,
  MetricsSnapshotSchema,
} from '@tyto/contracts';
import { ADMIN_PASSWORD, DB_KINDS, readSseEvents, startHub, type TestHub } from './hub';

const expectErrorShape = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ error: expect.any(String), code, details: expect.any(Object) });
  return body;
};

describe.each(DB_KINDS)('hub on %s', (kind) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub(kind);
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers /health without auth', async () => {
    const res = await hub.fetch('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; uptime: number };
    expect(body).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptime: expect.any(Number),
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('returns a token, the user and the expiry, and sets an HttpOnly cookie', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(res.status).toBe(200);
      const body = LoginResponseSchema.parse(await res.json());
      expect(body.user).toMatchObject({ username: 'admin', roles: ['admin'], permissions: ['*'] });
      expect(body.token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url
      expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
      expect(res.headers.get('set-cookie')).toMatch(/tyto_session=.+HttpOnly.*SameSite=Strict/i);
    });

    it('gives a new token at every login', async () => {
      expect(await hub.login()).not.toEqual(await hub.login());
    });

    it('refuses a wrong password with 401', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'admin', password: 'wrong-password-here' },
      });
      await expectErrorShape(res, 401, 'INVALID_CREDENTIALS');
    });

    it('refuses an unknown user with the same 401', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'nobody', password: ADMIN_PASSWORD },
      });
      await expectErrorShape(res, 401, 'INVALID_CREDENTIALS');
    });

    it('accepts the username in any case', async () => {
      expect(await hub.login('ADMIN')).toEqual(expect.any(String));
    });

    it('answers malformed JSON with 400', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username": "admin", ',
      });
      await expectErrorShape(res, 400, 'MALFORMED_JSON');
    });

    it('answers a body that is not JSON with 415', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'username=admin',
      });
      await expectErrorShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers a body over 1 MB with 413', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'x'.repeat(1_100_000) }),
      });
      await expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers missing fields with 400 naming them', async () => {
      const res = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'admin' },
      });
      const body = await expectErrorShape(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(body['details'])).toContain('password');
    });
  });

  describe('sessions', () => {
    it('GET /auth/me returns the seed shape', async () => {
      const token = await hub.login();
      const res = await hub.fetch('/api/v1/auth/me', { token });
      expect(res.status).toBe(200);
      const me = MeResponseSchema.strict().parse(await res.json());
      expect(me).toMatchObject({
        username: 'admin',
        roles: ['admin'],
        permissions: ['*'],
        auth_provider: 'local',
      });
      expect(me.last_login).not.toBeNull();
    });

    it('logout answers 204 and kills the token', async () => {
      const token = await hub.login();
      const out = await hub.fetch('/api/v1/auth/logout', { method: 'POST', token });
      expect(out.status).toBe(204);
      await expectErrorShape(await hub.fetch('/api/v1/auth/me', { token }), 401, 'SESSION_EXPIRED');
    });

    it('refuses a route without a token with 401', async () => {
      await expectErrorShape(await hub.fetch('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    });

    it('accepts the session cookie for reads but wants the CSRF header for writes', async () => {
      const login = await hub.fetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'admin', password: ADMIN_PASSWORD },
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      expect((await hub.fetch('/api/v1/auth/me', { headers: { cookie } })).status).toBe(200);
      await expectErrorShape(
        await hub.fetch('/api/v1/auth/logout', { method: 'POST', headers: { cookie } }),
        403,
        'CSRF_CHECK_FAILED',
      );
      const out = await hub.fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { cookie, 'x-tyto-csrf': '1' },
      });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/tyto_session=;/);
    });
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    await expectErrorShape(await hub.fetch('/api/v1/no-such-route'), 404, 'NOT_FOUND');
  });

  it('streams samples with every documented section over SSE', async () => {
    const token = await hub.login();
    const res = await hub.fetch('/api/v1/stream?agent_id=local', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const [sample] = await readSseEvents(res, 'metrics', 1);
    const snapshot = MetricsSnapshotSchema.parse(sample);
    expect(snapshot.agent_id).toBe('local');
    for (const section of METRICS_SECTIONS) expect(snapshot[section]).toBeDefined();
    expect(snapshot.cpu.totalUsage).toBeGreaterThanOrEqual(0);
  });

  it('filters the stream by agent_id', async () => {
    const token = await hub.login();
    const res = await hub.fetch('/api/v1/stream?agent_id=some-other-agent', { token });
    expect(res.status).toBe(200);
    expect(await readSseEvents(res, 'metrics', 1, 2500)).toEqual([]);
  });

  it('refuses the stream without a session', async () => {
    await expectErrorShape(await hub.fetch('/api/v1/stream'), 401, 'UNAUTHENTICATED');
  });
});
