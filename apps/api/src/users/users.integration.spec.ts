import {
  SYSTEM_ROLE_DEFINITIONS,
  UserListResponseSchema,
  UserSchema,
  type User,
} from '@tyto/contracts';
import { createUser, expectError, expectJson, USER_PASSWORD, userWithGrants } from '../test/api';
import { ADMIN_PASSWORD, DB_KINDS, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('users API on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  const getUser = async (id: string) =>
    expectJson<User>(await hub.fetch(`/api/v1/users/${id}`, { token: admin }), 200);
  const put = (path: string, json: unknown, token = admin) =>
    hub.fetch(path, { method: 'PUT', token, json });

  describe('GET /api/v1/users', () => {
    it('lists users in the seed shape, never with a password hash', async () => {
      const created = await createUser(hub, admin, {
        username: 'list-me',
        email: 'list-me@example.com',
        roles: ['operator'],
      });
      const res = await hub.fetch('/api/v1/users', { token: admin });
      const body = UserListResponseSchema.strict().parse(await expectJson(res, 200));
      for (const u of body.users) UserSchema.strict().parse(u);
      expect(body.users).toContainEqual({
        id: created.id,
        username: 'list-me',
        email: 'list-me@example.com',
        roles: ['operator'],
        auth_provider: 'local',
        provider_roles: [],
        disabled: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        last_login: null,
      });
      expect(JSON.stringify(body)).not.toMatch(/argon2|password/i);
    });

    it('returns one user as the user object, and 404 for an unknown id', async () => {
      const created = await createUser(hub, admin, { username: 'get-me' });
      expect(await getUser(created.id)).toEqual(created);
      await expectError(await hub.fetch('/api/v1/users/nope', { token: admin }), 404, 'NOT_FOUND');
    });
  });

  describe('POST /api/v1/users', () => {
    it('creates a viewer when no roles are given, who can then sign in', async () => {
      const u = await createUser(hub, admin, { username: 'Default-Role' });
      expect(u).toMatchObject({ username: 'Default-Role', roles: ['viewer'], email: null });
      expect(await hub.login('default-role', USER_PASSWORD)).toEqual(expect.any(String));
    });

    it('refuses a username that differs only in case with 409', async () => {
      await createUser(hub, admin, { username: 'CaseUser' });
      for (const username of ['caseuser', 'CASEUSER', 'CaseUser']) {
        const res = await hub.fetch('/api/v1/users', {
          method: 'POST',
          token: admin,
          json: { username, password: USER_PASSWORD },
        });
        await expectError(res, 409, 'USERNAME_TAKEN');
      }
    });

    it.each(['not-an-email', 'a@b', 'two@@example.com', 'spaces in@example.com'])(
      'refuses the email %p with 400',
      async (email) => {
        const res = await hub.fetch('/api/v1/users', {
          method: 'POST',
          token: admin,
          json: { username: 'bad-email', password: USER_PASSWORD, email },
        });
        const body = await expectError(res, 400, 'VALIDATION_FAILED');
        expect(JSON.stringify(body.details)).toContain('email');
      },
    );

    it('refuses a password below the minimum length with 400 WEAK_PASSWORD', async () => {
      const res = await hub.fetch('/api/v1/users', {
        method: 'POST',
        token: admin,
        json: { username: 'weak', password: 'elevenchars' },
      });
      const body = await expectError(res, 400, 'WEAK_PASSWORD');
      expect(body.details).toEqual({ min_length: 12 });
      await expectError(
        await hub.fetch('/api/v1/users', { token: admin }).then(async (r) => {
          const list = UserListResponseSchema.parse(await r.json());
          expect(list.users.map((u) => u.username)).not.toContain('weak');
          return hub.fetch('/api/v1/users/weak', { token: admin });
        }),
        404,
        'NOT_FOUND',
      );
    });

    it('refuses unknown role ids with 400 naming them', async () => {
      const res = await hub.fetch('/api/v1/users', {
        method: 'POST',
        token: admin,
        json: { username: 'ghost-roles', password: USER_PASSWORD, roles: ['viewer', 'wizard'] },
      });
      const body = await expectError(res, 400, 'UNKNOWN_ROLE');
      expect(body.details).toEqual({ roles: ['wizard'] });
    });

    it('refuses unknown fields', async () => {
      const res = await hub.fetch('/api/v1/users', {
        method: 'POST',
        token: admin,
        json: { username: 'extra', password: USER_PASSWORD, is_admin: true },
      });
      await expectError(res, 400, 'VALIDATION_FAILED');
    });
  });

  describe('PUT /api/v1/users/:id', () => {
    it('changes email and roles, and a role change applies to the next request', async () => {
      const u = await createUser(hub, admin, { username: 'promote-me' });
      const token = await hub.login('promote-me', USER_PASSWORD);
      await expectError(await hub.fetch('/api/v1/users', { token }), 403, 'FORBIDDEN');
      const updated = await expectJson<User>(
        await put(`/api/v1/users/${u.id}`, {
          email: 'promoted@example.com',
          roles: ['viewer', 'admin'],
        }),
        200,
      );
      expect(updated).toMatchObject({ email: 'promoted@example.com', roles: ['admin', 'viewer'] });
      expect((await hub.fetch('/api/v1/users', { token })).status).toBe(200);
    });

    it('refuses a bad email and unknown roles without changing anything', async () => {
      const u = await createUser(hub, admin, { username: 'keep-me', email: 'keep@example.com' });
      await expectError(
        await put(`/api/v1/users/${u.id}`, { email: 'nope' }),
        400,
        'VALIDATION_FAILED',
      );
      await expectError(
        await put(`/api/v1/users/${u.id}`, { email: 'new@example.com', roles: ['wizard'] }),
        400,
        'UNKNOWN_ROLE',
      );
      expect(await getUser(u.id)).toEqual(u);
    });

    it('answers 404 for an unknown user', async () => {
      await expectError(await put('/api/v1/users/nope', { email: null }), 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /api/v1/users/:id (disable)', () => {
    it('ends live sessions at once, refuses login, and PUT disabled:false re-enables', async () => {
      const u = await createUser(hub, admin, { username: 'soon-disabled' });
      const token = await hub.login('soon-disabled', USER_PASSWORD);
      expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);

      const del = await hub.fetch(`/api/v1/users/${u.id}`, { method: 'DELETE', token: admin });
      expect(del.status).toBe(204);
      expect(await getUser(u.id)).toMatchObject({ disabled: true });
      await expectError(await hub.fetch('/api/v1/auth/me', { token }), 401, 'SESSION_EXPIRED');
      await expectError(
        await hub.fetch('/api/v1/auth/login', {
          method: 'POST',
          json: { username: 'soon-disabled', password: USER_PASSWORD },
        }),
        401,
        'INVALID_CREDENTIALS',
      );

      await expectJson(await put(`/api/v1/users/${u.id}`, { disabled: false }), 200);
      const again = await hub.login('soon-disabled', USER_PASSWORD);
      expect((await hub.fetch('/api/v1/auth/me', { token: again })).status).toBe(200);
      // The old token stays dead: re-enabling does not revive sessions.
      expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(401);
    });

    it('answers 404 for an unknown user', async () => {
      const res = await hub.fetch('/api/v1/users/nope', { method: 'DELETE', token: admin });
      await expectError(res, 404, 'NOT_FOUND');
    });
  });

  describe('last enabled admin', () => {
    it('cannot be disabled or demoted, and can once another admin exists', async () => {
      const me = await expectJson<{ id: string }>(
        await hub.fetch('/api/v1/auth/me', { token: admin }),
        200,
      );
      // Other tests may have promoted users to admin; disable them so admin is the last one.
      const { users } = UserListResponseSchema.parse(
        await (await hub.fetch('/api/v1/users', { token: admin })).json(),
      );
      for (const u of users) {
        if (u.id !== me.id && u.roles.includes('admin') && !u.disabled) {
          expect((await put(`/api/v1/users/${u.id}`, { disabled: true })).status).toBe(200);
        }
      }

      const del = await hub.fetch(`/api/v1/users/${me.id}`, { method: 'DELETE', token: admin });
      const body = await expectError(del, 409, 'LAST_ADMIN');
      expect(body.error).toMatch(/last enabled administrator/);
      await expectError(await put(`/api/v1/users/${me.id}`, { disabled: true }), 409, 'LAST_ADMIN');
      await expectError(
        await put(`/api/v1/users/${me.id}`, { roles: ['operator'] }),
        409,
        'LAST_ADMIN',
      );
      expect(await getUser(me.id)).toMatchObject({ roles: ['admin'], disabled: false });

      const second = await createUser(hub, admin, { username: 'second-admin', roles: ['admin'] });
      expect(
        (await expectJson<User>(await put(`/api/v1/users/${me.id}`, { roles: ['operator'] }), 200))
          .roles,
      ).toEqual(['operator']);
      // Now `second-admin` is the last one.
      const token2 = await hub.login('second-admin', USER_PASSWORD);
      await expectError(
        await put(`/api/v1/users/${second.id}`, { disabled: true }, token2),
        409,
        'LAST_ADMIN',
      );
      await expectJson(await put(`/api/v1/users/${me.id}`, { roles: ['admin'] }, token2), 200);
    });
  });

  describe('PUT /api/v1/users/:id/password', () => {
    it('sets the password, ends the user’s sessions, and applies the policy', async () => {
      const u = await createUser(hub, admin, { username: 'reset-me' });
      const token = await hub.login('reset-me', USER_PASSWORD);
      await expectError(
        await put(`/api/v1/users/${u.id}/password`, { new_password: 'short' }),
        400,
        'WEAK_PASSWORD',
      );
      expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);

      const res = await put(`/api/v1/users/${u.id}/password`, {
        new_password: 'temporary-password',
      });
      expect(res.status).toBe(204);
      expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(401);
      await expect(hub.login('reset-me', USER_PASSWORD)).rejects.toThrow(/401/);
      expect(await hub.login('reset-me', 'temporary-password')).toEqual(expect.any(String));
    });
  });

  describe('no escalation through users:manage', () => {
    it('lets a user manager manage lesser users but not grant or touch more than they hold', async () => {
      const mgr = await userWithGrants(hub, admin, 'user-manager', [
        'users:view',
        'users:manage',
        ...SYSTEM_ROLE_DEFINITIONS.viewer.permissions,
      ]);
      const viewer = await createUser(hub, mgr.token, { username: 'managed-viewer' });
      expect(viewer.roles).toEqual(['viewer']);
      // The manager lacks operator's grants (processes:signal, …), so cannot hand them out.
      const op = await hub.fetch('/api/v1/users', {
        method: 'POST',
        token: mgr.token,
        json: { username: 'wannabe-op', password: USER_PASSWORD, roles: ['operator'] },
      });
      expect((await expectError(op, 403, 'FORBIDDEN')).details['missing']).toContain(
        'processes:signal',
      );
      const self = await put(`/api/v1/users/${mgr.user.id}`, { roles: ['admin'] }, mgr.token);
      const body = await expectError(self, 403, 'FORBIDDEN');
      expect(body.details).toEqual({ missing: ['*'] });
      const me = await expectJson<{ id: string }>(
        await hub.fetch('/api/v1/auth/me', { token: admin }),
        200,
      );
      await expectError(
        await put(`/api/v1/users/${me.id}/password`, { new_password: 'taken-over-now' }, mgr.token),
        403,
        'FORBIDDEN',
      );
      await expectError(
        await hub.fetch(`/api/v1/users/${me.id}`, { method: 'DELETE', token: mgr.token }),
        403,
        'FORBIDDEN',
      );
      expect(await hub.login('admin', ADMIN_PASSWORD)).toEqual(expect.any(String));
    });
  });

  it('keeps registration off by default', async () => {
    const res = await hub.fetch('/api/v1/auth/register', {
      method: 'POST',
      json: { username: 'walk-in', password: USER_PASSWORD },
    });
    await expectError(res, 403, 'REGISTRATION_DISABLED');
    await expect(hub.login('walk-in', USER_PASSWORD)).rejects.toThrow(/401/);
  });
});
