import type {
  AuditEntry,
  AuditListResponse,
  RoleListResponse,
  SettingsResponse,
  User,
  UserListResponse,
} from '@tyto/contracts';
import { createRole, createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { ADMIN_PASSWORD, DB_KINDS, startHub, type TestHub } from '../test/hub';

const NUL = '\u0000';
const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();

describe.each(DB_KINDS)('request validation on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let viewer: User;
  beforeAll(async () => {
    // The proxy hop lets each request pose as its own client address, which finds its audit entry.
    hub = await startHub(kind, { TYTO_ALLOW_REGISTRATION: 'true', TYTO_TRUST_PROXY: '1' });
    admin = await hub.login();
    viewer = await createUser(hub, admin, { username: 'plain-viewer', roles: ['viewer'] });
    await createRole(hub, admin, { name: 'Kept Role', permissions: ['logs:view'] });
  });
  afterAll(async () => {
    await hub.close();
  });

  let lastIp = 0;
  /** Sends as admin from a fresh address; the answer and that address. */
  async function send(
    path: string,
    init: { method?: string; json?: unknown; token?: string | null } = {},
  ): Promise<{ res: Response; ip: string }> {
    const ip = `198.51.100.${++lastIp}`;
    const { token = admin, ...rest } = init;
    const res = await hub.fetch(path, {
      ...rest,
      ...(token ? { token } : {}),
      headers: { 'x-forwarded-for': ip },
    });
    return { res, ip };
  }

  const auditFrom = async (ip: string): Promise<AuditEntry[]> =>
    (
      await expectJson<AuditListResponse>(
        await hub.fetch('/api/v1/audit?limit=500', { token: admin }),
        200,
      )
    ).entries.filter((e) => e.ip === ip);

  const state = async () => ({
    users: await expectJson<UserListResponse>(
      await hub.fetch('/api/v1/users', { token: admin }),
      200,
    ),
    roles: await expectJson<RoleListResponse>(
      await hub.fetch('/api/v1/roles', { token: admin }),
      200,
    ),
    settings: await expectJson<SettingsResponse>(
      await hub.fetch('/api/v1/settings', { token: admin }),
      200,
    ),
  });

  /** A 400 VALIDATION_FAILED naming `path` among its issues. */
  async function expectInvalid(res: Response, path: string, message?: string): Promise<void> {
    const body = await expectError(res, 400, 'VALIDATION_FAILED');
    expect(body.details['issues']).toEqual(
      expect.arrayContaining([message ? { path, message } : { path, message: expect.any(String) }]),
    );
  }
  const CONTROL = 'must not contain control characters';

  describe('control characters', () => {
    // Writes: refused with 400, nothing changed, and the attempt is in the audit log.
    const writes: [string, string, string, unknown, string][] = [
      [
        'login username',
        'POST',
        '/api/v1/auth/login',
        { username: `admin${NUL}`, password: 'x' },
        'username',
      ],
      [
        'login password',
        'POST',
        '/api/v1/auth/login',
        { username: 'admin', password: `x${NUL}` },
        'password',
      ],
      [
        'registration username',
        'POST',
        '/api/v1/auth/register',
        { username: `bob${NUL}`, password: USER_PASSWORD },
        'username',
      ],
      [
        'user username',
        'POST',
        '/api/v1/users',
        { username: `bob${NUL}`, password: USER_PASSWORD },
        'username',
      ],
      [
        'user email',
        'POST',
        '/api/v1/users',
        { username: 'bob', password: USER_PASSWORD, email: `b${NUL}@example.com` },
        'email',
      ],
      [
        'user roles entry',
        'POST',
        '/api/v1/users',
        { username: 'bob', password: USER_PASSWORD, roles: [`viewer${NUL}`] },
        'roles.0',
      ],
      ['user id', 'PUT', `/api/v1/users/${encodeURIComponent(NUL)}`, { disabled: true }, 'id'],
      ['user id on disable', 'DELETE', `/api/v1/users/${encodeURIComponent(NUL)}`, undefined, 'id'],
      [
        'user id on password reset',
        'PUT',
        `/api/v1/users/${encodeURIComponent(NUL)}/password`,
        { new_password: USER_PASSWORD },
        'id',
      ],
      [
        'roles entry on update',
        'PUT',
        '/api/v1/users/:viewer',
        { roles: [`operator${NUL}`] },
        'roles.0',
      ],
      ['role name', 'POST', '/api/v1/roles', { name: `Evil${NUL}`, permissions: [] }, 'name'],
      [
        'role description',
        'POST',
        '/api/v1/roles',
        { name: 'Evil', description: `a${NUL}b`, permissions: [] },
        'description',
      ],
      [
        'role description escape',
        'POST',
        '/api/v1/roles',
        { name: 'Evil', description: 'a\u001b[2Jb', permissions: [] },
        'description',
      ],
      [
        'role permission',
        'POST',
        '/api/v1/roles',
        { name: 'Evil', permissions: [`logs:view${NUL}`] },
        'permissions.0',
      ],
      ['role id', 'PUT', `/api/v1/roles/${encodeURIComponent(NUL)}`, { name: 'Renamed' }, 'id'],
      ['role id on delete', 'DELETE', `/api/v1/roles/${encodeURIComponent(NUL)}`, undefined, 'id'],
      [
        'reassign_to',
        'DELETE',
        `/api/v1/roles/kept-role?reassign_to=${encodeURIComponent(NUL)}`,
        undefined,
        'reassign_to',
      ],
      ['own email', 'PUT', '/api/v1/auth/me', { email: `me${NUL}@example.com` }, 'email'],
    ];
    it.each(writes)(
      'refuses a NUL in the %s, changes nothing and audits it',
      async (_, method, rawPath, json, path) => {
        const before = await state();
        const { res, ip } = await send(rawPath.replace(':viewer', viewer.id), {
          method,
          json,
          token:
            rawPath.startsWith('/api/v1/auth/') && rawPath !== '/api/v1/auth/me' ? null : admin,
        });
        await expectInvalid(res, path, CONTROL);
        expect(await state()).toEqual(before);
        const entries = await auditFrom(ip);
        expect(entries).toEqual([
          expect.objectContaining({
            outcome: 'failure',
            status: 400,
            details: { code: 'VALIDATION_FAILED' },
          }),
        ]);
        // What held the NUL is kept, as a visible escape: PostgreSQL refuses NUL in text.
        if (path === 'id') expect(entries[0]?.target).toBe('\\u0000');
        const tried = (json as { username?: unknown } | undefined)?.username;
        if (rawPath.startsWith('/api/v1/auth/') && typeof tried === 'string') {
          expect(entries[0]?.actor_username).toBe(tried.replace(NUL, '\\u0000'));
        }
      },
    );

    const reads: [string, string][] = [
      ['user id', `/api/v1/users/${encodeURIComponent(NUL)}`],
      ['audit actor', `/api/v1/audit?actor=${encodeURIComponent(NUL)}`],
      ['audit action', `/api/v1/audit?action=${encodeURIComponent(`user.${NUL}`)}`],
      ['history agent_id', `/api/v1/history?agent_id=${encodeURIComponent(NUL)}`],
      ['history metrics', `/api/v1/history?metrics=${encodeURIComponent(`disk:/${NUL}`)}`],
      [
        'process history agent_id',
        `/api/v1/history/processes?at=${HOUR_AGO}&agent_id=${encodeURIComponent(NUL)}`,
      ],
      ['export agent_id', `/api/v1/export/metrics?agent_id=${encodeURIComponent(NUL)}`],
      [
        'export range agent_id',
        `/api/v1/export/metrics?format=csv&from=${HOUR_AGO}&agent_id=${encodeURIComponent(`local${NUL}`)}`,
      ],
      [
        'export range end',
        `/api/v1/export/metrics?from=${HOUR_AGO}&to=${encodeURIComponent(`${HOUR_AGO}${NUL}`)}`,
      ],
      ['stream agent_id', `/api/v1/stream?agent_id=${encodeURIComponent(NUL)}`],
    ];
    it.each(reads)('refuses a NUL in the %s', async (_, rawPath) => {
      const { res } = await send(rawPath);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'Request validation failed',
        code: 'VALIDATION_FAILED',
        details: {
          issues: expect.arrayContaining([expect.objectContaining({ message: CONTROL })]),
        },
      });
    });

    it('keeps tab and line feed in a role description, which is free text', async () => {
      const { res } = await send('/api/v1/roles', {
        method: 'POST',
        json: { name: 'Described', description: 'first line\n\tsecond line', permissions: [] },
      });
      expect(await expectJson(res, 201)).toMatchObject({
        description: 'first line\n\tsecond line',
      });
    });

    it('refuses tab and line feed in a role name', async () => {
      const { res } = await send('/api/v1/roles', {
        method: 'POST',
        json: { name: 'Two\nLines', permissions: [] },
      });
      await expectInvalid(res, 'name', CONTROL);
    });
  });

  describe('unknown keys', () => {
    it('refuses an unknown key in the refresh request and keeps the interval', async () => {
      const before = await state();
      const { res, ip } = await send('/api/v1/settings/refresh', {
        method: 'POST',
        json: { interval: 30, intervall: 30 },
      });
      await expectInvalid(res, '');
      expect(await state()).toEqual(before);
      expect(await auditFrom(ip)).toEqual([
        expect.objectContaining({ action: 'settings.refresh', status: 400 }),
      ]);
    });

    it('refuses a body on writes that take none, and changes nothing', async () => {
      const before = await state();
      const disable = await send(`/api/v1/users/${viewer.id}`, {
        method: 'DELETE',
        json: { permanently: true },
      });
      await expectInvalid(disable.res, '');
      const remove = await send('/api/v1/roles/kept-role', {
        method: 'DELETE',
        json: { force: 1 },
      });
      await expectInvalid(remove.res, '');
      expect(await state()).toEqual(before);
      const token = await hub.login('plain-viewer', USER_PASSWORD);
      const logout = await send('/api/v1/auth/logout', {
        method: 'POST',
        json: { all: true },
        token,
      });
      await expectInvalid(logout.res, '');
      expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);
    });

    it('refuses an unknown key at login', async () => {
      const { res } = await send('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'admin', password: ADMIN_PASSWORD, remember: true },
        token: null,
      });
      await expectInvalid(res, '');
    });

    it.each([
      '/api/v1/history?agnet_id=local',
      '/api/v1/history/processes?at=2026-01-01T00:00:00Z&x=1',
      '/api/v1/export/metrics?format=json&range=1h',
      '/api/v1/audit?actor=admin&user=admin',
      '/api/v1/stream?agent=local',
    ])('refuses an unknown query parameter: %s', async (path) => {
      await expectInvalid((await send(path)).res, '');
    });

    it('refuses an unknown query parameter on a write and changes nothing', async () => {
      const before = await state();
      const { res } = await send('/api/v1/roles/kept-role?reassign=viewer', { method: 'DELETE' });
      await expectInvalid(res, '');
      expect(await state()).toEqual(before);
    });
  });

  describe('query string shape', () => {
    it.each([
      [
        'repeated',
        '/api/v1/history?agent_id=a&agent_id=b',
        'agent_id',
        'parameter given more than once',
      ],
      [
        'repeated number',
        '/api/v1/audit?limit=1&limit=2',
        'limit',
        'parameter given more than once',
      ],
      [
        'bracketed',
        '/api/v1/history?agent_id[]=x',
        'agent_id[]',
        'bracketed parameter names are not accepted',
      ],
      [
        'bracketed (encoded)',
        '/api/v1/history?agent_id%5B%5D=x',
        'agent_id[]',
        'bracketed parameter names are not accepted',
      ],
      ['nested', '/api/v1/audit?a[b]=c', 'a[b]', 'bracketed parameter names are not accepted'],
      [
        'repeated export',
        '/api/v1/export/metrics?format=csv&format=json',
        'format',
        'parameter given more than once',
      ],
    ])('refuses a %s parameter', async (_, path, issuePath, message) => {
      const body = await expectError((await send(path)).res, 400, 'VALIDATION_FAILED');
      expect(body.details).toEqual({ issues: [{ path: issuePath, message }] });
    });

    it('refuses a repeated parameter on a write and changes nothing', async () => {
      const before = await state();
      const { res } = await send(
        '/api/v1/roles/kept-role?reassign_to=viewer&reassign_to=operator',
        {
          method: 'DELETE',
        },
      );
      await expectInvalid(res, 'reassign_to', 'parameter given more than once');
      expect(await state()).toEqual(before);
    });
  });
});
