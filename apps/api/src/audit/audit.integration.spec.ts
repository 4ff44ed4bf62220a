import { AuditListResponseSchema, type AuditEntry, type AuditListResponse } from '@tyto/contracts';
import { createRole, createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { ADMIN_PASSWORD, DB_KINDS, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('audit log on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let adminId: string;
  beforeAll(async () => {
    hub = await startHub(kind, { TYTO_TRUST_PROXY: '1' });
    admin = await hub.login();
    adminId = (
      (await (await hub.fetch('/api/v1/auth/me', { token: admin })).json()) as { id: string }
    ).id;
  });
  afterAll(async () => {
    await hub.close();
  });

  const audit = async (query = ''): Promise<AuditListResponse> =>
    AuditListResponseSchema.strict().parse(
      await expectJson(await hub.fetch(`/api/v1/audit${query}`, { token: admin }), 200),
    );
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('records a successful and a failed login with actor, address and outcome', async () => {
    const ok = await hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: from('192.0.2.10'),
      json: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(ok.status).toBe(200);
    const bad = await hub.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: from('192.0.2.11'),
      json: { username: 'mallory', password: 'guessing-away' },
    });
    expect(bad.status).toBe(401);

    const { entries } = await audit('?action=auth.login&limit=500');
    expect(entries).toContainEqual({
      id: expect.any(Number),
      timestamp: expect.stringMatching(/Z$/),
      actor_id: adminId,
      actor_username: 'admin',
      action: 'auth.login',
      target: null,
      ip: '192.0.2.10',
      outcome: 'success',
      status: 200,
      details: { provider: 'local' },
    });
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor_id: null,
        actor_username: 'mallory',
        ip: '192.0.2.11',
        outcome: 'failure',
        status: 401,
        details: { code: 'INVALID_CREDENTIALS', provider: 'local' },
      }),
    );
  });

  it('records user creation and role updates with actor, target and facts', async () => {
    const user = await createUser(hub, admin, { username: 'audited', roles: ['viewer'] });
    const role = await createRole(hub, admin, { name: 'Audited Role', permissions: [] });
    const put = await hub.fetch(`/api/v1/roles/${role.id}`, {
      method: 'PUT',
      token: admin,
      headers: from('198.51.100.7'),
      json: { permissions: ['logs:view'] },
    });
    expect(put.status).toBe(200);

    const [created] = (await audit('?action=user.create')).entries;
    expect(created).toMatchObject({
      actor_id: adminId,
      actor_username: 'admin',
      target: user.id,
      outcome: 'success',
      status: 201,
      details: { username: 'audited', roles: ['viewer'] },
    });
    expect((await audit('?action=role.update')).entries[0]).toMatchObject({
      actor_username: 'admin',
      target: role.id,
      ip: '198.51.100.7',
      outcome: 'success',
      status: 200,
      details: { permissions: ['logs:view'] },
    });
  });

  it('records failed writes, including ones the guard refuses, and logouts', async () => {
    await createUser(hub, admin, { username: 'refused', roles: ['viewer'] });
    const token = await hub.login('refused', USER_PASSWORD);
    const denied = await hub.fetch('/api/v1/roles', {
      method: 'POST',
      token,
      json: { name: 'Mine', permissions: ['*'] },
    });
    await expectError(denied, 403, 'FORBIDDEN');
    const invalid = await hub.fetch('/api/v1/users', { method: 'POST', token: admin, json: {} });
    await expectError(invalid, 400, 'VALIDATION_FAILED');
    expect((await hub.fetch('/api/v1/auth/logout', { method: 'POST', token })).status).toBe(204);

    const mine = (await audit('?actor=REFUSED')).entries;
    expect(mine.map((e) => [e.action, e.outcome, e.status])).toEqual([
      ['auth.logout', 'success', 204],
      ['role.create', 'failure', 403],
      ['auth.login', 'success', 200],
    ]);
    expect(mine[1].details).toMatchObject({ code: 'FORBIDDEN' });
    expect((await audit('?action=user.create&outcome=failure')).entries[0]).toMatchObject({
      actor_username: 'admin',
      status: 400,
      details: { code: 'VALIDATION_FAILED' },
    });
  });

  it('records writes refused before the guard under the signed-in user who sent them', async () => {
    await createUser(hub, admin, { username: 'clumsy', roles: ['viewer'] });
    const token = await hub.login('clumsy', USER_PASSWORD);
    const post = (pathname: string, contentType: string, body: string, auth = token) =>
      hub.fetch(pathname, {
        method: 'POST',
        token: auth,
        headers: { 'content-type': contentType },
        body,
      });
    await expectError(
      await post('/api/v1/roles', 'application/json', '{"name":'),
      400,
      'MALFORMED_JSON',
    );
    await expectError(
      await post('/api/v1/roles', 'application/json', `"${'x'.repeat(1_100_000)}"`),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectError(
      await post('/api/v1/roles', 'text/plain', 'name=x'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectError(await post('/api/v1/nowhere', 'application/json', '{}'), 404, 'NOT_FOUND');
    // Without a valid session such refusals stay unrecorded noise.
    await post('/api/v1/nowhere-anonymous', 'application/json', '{}', 'not-a-token');

    const mine = (await audit('?actor=CLUMSY')).entries;
    expect(mine.map((e) => [e.action, e.status, e.details['code'], e.actor_username])).toEqual([
      ['POST /api/v1/nowhere', 404, 'NOT_FOUND', 'clumsy'],
      ['role.create', 415, 'UNSUPPORTED_MEDIA_TYPE', 'clumsy'],
      ['role.create', 413, 'PAYLOAD_TOO_LARGE', 'clumsy'],
      ['role.create', 400, 'MALFORMED_JSON', 'clumsy'],
      ['auth.login', 200, undefined, 'clumsy'],
    ]);
    const all = JSON.stringify((await audit('?limit=500')).entries);
    expect(all).not.toContain('nowhere-anonymous');
    // Resolving the actor is not a sign-in attempt: the session and the login budget are intact.
    expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);
  });

  it('never stores passwords or tokens', async () => {
    const u = await createUser(hub, admin, {
      username: 'secretive',
      password: 'do-not-store-me-1',
    });
    const token = await hub.login('secretive', 'do-not-store-me-1');
    await hub.fetch(`/api/v1/users/${u.id}/password`, {
      method: 'PUT',
      token: admin,
      json: { new_password: 'do-not-store-me-2' },
    });
    const all = JSON.stringify((await audit('?limit=500')).entries);
    expect(all).not.toContain('do-not-store-me');
    expect(all).not.toContain(token);
    expect(all).not.toContain(admin);
  });

  it('filters by actor, action prefix, outcome and time, and pages newest first', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) {
      await createUser(hub, admin, { username: name });
    }
    const all = await audit('?action=user.*&limit=500');
    expect(all.total).toBe(all.entries.length);
    expect(all.entries.every((e) => e.action.startsWith('user.'))).toBe(true);
    const ids = all.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const page = await audit('?action=user.*&limit=2&offset=1');
    expect(page).toEqual({ entries: all.entries.slice(1, 3), total: all.total });

    const byId = await audit(`?actor=${adminId}&outcome=success&limit=500`);
    expect(byId.entries.length).toBeGreaterThan(0);
    expect(
      byId.entries.every((e: AuditEntry) => e.actor_id === adminId && e.outcome === 'success'),
    ).toBe(true);

    const newest = all.entries[0];
    const at = encodeURIComponent(newest.timestamp);
    expect((await audit(`?action=user.*&from=${at}`)).entries.map((e) => e.id)).toContain(
      newest.id,
    );
    const before = await audit(`?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
    expect(before).toEqual({ entries: [], total: 0 });
  });

  it('refuses bad filters with 400', async () => {
    for (const q of ['?limit=501', '?limit=0', '?offset=-1', '?outcome=maybe', '?from=yesterday']) {
      await expectError(
        await hub.fetch(`/api/v1/audit${q}`, { token: admin }),
        400,
        'VALIDATION_FAILED',
      );
    }
    const reversed = '?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z';
    await expectError(
      await hub.fetch(`/api/v1/audit${reversed}`, { token: admin }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('offers no way to delete entries', async () => {
    for (const method of ['DELETE', 'PUT', 'POST']) {
      const res = await hub.fetch('/api/v1/audit', { method, token: admin });
      expect(res.status).toBe(404);
    }
  });
});
