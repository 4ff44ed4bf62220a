import { RoleListResponseSchema, RoleSchema, type Role, type User } from '@tyto/contracts';
import {
  createRole,
  createUser,
  expectError,
  expectJson,
  USER_PASSWORD,
  userWithGrants,
} from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('roles API on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  const listRoles = async () =>
    RoleListResponseSchema.parse(
      await expectJson(await hub.fetch('/api/v1/roles', { token: admin }), 200),
    ).roles;
  const status = async (path: string, token: string) => (await hub.fetch(path, { token })).status;

  it('lists the system roles in the seed shape', async () => {
    const roles = await listRoles();
    for (const r of roles) RoleSchema.strict().parse(r);
    expect(roles).toContainEqual({
      id: 'admin',
      name: 'Administrator',
      description: 'Full system access',
      permissions: ['*'],
      is_system: true,
    });
    expect(roles.filter((r) => r.is_system).map((r) => r.id)).toEqual(
      expect.arrayContaining(['admin', 'operator', 'viewer']),
    );
  });

  it('creates a custom role with a slug id from the seed request', async () => {
    const role = await createRole(hub, admin, {
      name: 'Alert Manager',
      description: 'Can manage alerts only',
      permissions: ['dashboard:view', 'alerts:*'],
    });
    expect(role).toEqual({
      id: 'alert-manager',
      name: 'Alert Manager',
      description: 'Can manage alerts only',
      permissions: ['dashboard:view', 'alerts:*'],
      is_system: false,
    });
    expect(await listRoles()).toContainEqual(role);
  });

  it('refuses an unknown permission or resource with 400 naming it', async () => {
    for (const bad of ['users:destroy', 'bogus:*', 'alerts', '']) {
      const res = await hub.fetch('/api/v1/roles', {
        method: 'POST',
        token: admin,
        json: { name: `Bad ${bad}`, permissions: ['dashboard:view', bad] },
      });
      const body = await expectError(res, 400, 'VALIDATION_FAILED');
      expect(body.details['issues']).toEqual([
        { path: 'permissions.1', message: `unknown permission '${bad}'` },
      ]);
    }
    expect((await listRoles()).map((r) => r.name)).not.toContain('Bad users:destroy');
  });

  it('refuses a second role of the same name in any case with 409', async () => {
    await createRole(hub, admin, { name: 'Night Shift', permissions: ['dashboard:view'] });
    const res = await hub.fetch('/api/v1/roles', {
      method: 'POST',
      token: admin,
      json: { name: 'NIGHT shift', permissions: [] },
    });
    await expectError(res, 409, 'ROLE_NAME_TAKEN');
  });

  describe('wildcards', () => {
    it('`users:*` grants every users permission and nothing else', async () => {
      const { token } = await userWithGrants(hub, admin, 'users-star', ['users:*']);
      expect(await status('/api/v1/users', token)).toBe(200);
      const created = await hub.fetch('/api/v1/users', {
        method: 'POST',
        token,
        json: { username: 'made-by-star', password: USER_PASSWORD, roles: [] },
      });
      expect(created.status).toBe(201);
      expect(await status('/api/v1/audit', token)).toBe(403);
      const role = await hub.fetch('/api/v1/roles', {
        method: 'POST',
        token,
        json: { name: 'Nope', permissions: [] },
      });
      await expectError(role, 403, 'FORBIDDEN');
    });

    it('`alerts:*` does not grant users:view; `*` grants everything', async () => {
      const alerts = await userWithGrants(hub, admin, 'alerts-star', ['alerts:*']);
      await expectError(
        await hub.fetch('/api/v1/users', { token: alerts.token }),
        403,
        'FORBIDDEN',
      );
      const star = await userWithGrants(hub, admin, 'star', ['*']);
      for (const path of ['/api/v1/users', '/api/v1/roles', '/api/v1/audit']) {
        expect(await status(path, star.token)).toBe(200);
      }
    });
  });

  describe('PUT /api/v1/roles/:id', () => {
    it('changes name, description and permissions, effective on the holder’s next request', async () => {
      const { role, token } = await userWithGrants(hub, admin, 'growing', ['dashboard:view']);
      expect(await status('/api/v1/users', token)).toBe(403);
      const updated = await expectJson<Role>(
        await hub.fetch(`/api/v1/roles/${role.id}`, {
          method: 'PUT',
          token: admin,
          json: {
            name: 'Grown',
            description: 'now sees users',
            permissions: ['dashboard:view', 'users:view'],
          },
        }),
        200,
      );
      expect(updated).toEqual({
        id: role.id,
        name: 'Grown',
        description: 'now sees users',
        permissions: ['dashboard:view', 'users:view'],
        is_system: false,
      });
      expect(await status('/api/v1/users', token)).toBe(200);
    });

    it('keeps system roles fixed (409) but accepts an unchanged body', async () => {
      for (const json of [
        { name: 'Root' },
        { permissions: ['dashboard:view'] },
        { description: 'x' },
      ]) {
        const res = await hub.fetch('/api/v1/roles/admin', { method: 'PUT', token: admin, json });
        await expectError(res, 409, 'SYSTEM_ROLE_IMMUTABLE');
      }
      const same = await hub.fetch('/api/v1/roles/viewer', {
        method: 'PUT',
        token: admin,
        json: { name: 'Viewer' },
      });
      expect((await expectJson<Role>(same, 200)).id).toBe('viewer');
    });

    it('refuses unknown permissions and answers 404 for an unknown role', async () => {
      const role = await createRole(hub, admin, { name: 'Fixed', permissions: [] });
      const bad = await hub.fetch(`/api/v1/roles/${role.id}`, {
        method: 'PUT',
        token: admin,
        json: { permissions: ['logs:delete'] },
      });
      await expectError(bad, 400, 'VALIDATION_FAILED');
      const missing = await hub.fetch('/api/v1/roles/nope', {
        method: 'PUT',
        token: admin,
        json: { name: 'x' },
      });
      await expectError(missing, 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /api/v1/roles/:id', () => {
    it('refuses system roles with 409', async () => {
      for (const id of ['admin', 'operator', 'viewer']) {
        const res = await hub.fetch(`/api/v1/roles/${id}`, { method: 'DELETE', token: admin });
        await expectError(res, 409, 'SYSTEM_ROLE_IMMUTABLE');
      }
    });

    it('refuses a role in use with 409, and moves its holders with reassign_to', async () => {
      const role = await createRole(hub, admin, { name: 'Leaving', permissions: ['logs:view'] });
      const a = await createUser(hub, admin, { username: 'leaver-a', roles: [role.id] });
      const b = await createUser(hub, admin, {
        username: 'leaver-b',
        roles: [role.id, 'operator'],
      });
      const inUse = await hub.fetch(`/api/v1/roles/${role.id}`, {
        method: 'DELETE',
        token: admin,
      });
      expect((await expectError(inUse, 409, 'ROLE_IN_USE')).details).toEqual({ users: 2 });

      const unknown = await hub.fetch(`/api/v1/roles/${role.id}?reassign_to=wizard`, {
        method: 'DELETE',
        token: admin,
      });
      await expectError(unknown, 400, 'UNKNOWN_ROLE');

      const moved = await hub.fetch(`/api/v1/roles/${role.id}?reassign_to=operator`, {
        method: 'DELETE',
        token: admin,
      });
      expect(moved.status).toBe(204);
      expect((await listRoles()).map((r) => r.id)).not.toContain(role.id);
      const roleIds = async (u: User) =>
        (await expectJson<User>(await hub.fetch(`/api/v1/users/${u.id}`, { token: admin }), 200))
          .roles;
      expect(await roleIds(a)).toEqual(['operator']);
      expect(await roleIds(b)).toEqual(['operator']);
    });

    it('deletes an unused role and answers 404 afterwards', async () => {
      const role = await createRole(hub, admin, { name: 'Unused', permissions: [] });
      const del = () => hub.fetch(`/api/v1/roles/${role.id}`, { method: 'DELETE', token: admin });
      expect((await del()).status).toBe(204);
      await expectError(await del(), 404, 'NOT_FOUND');
    });
  });

  it('does not let a role manager grant what they do not hold', async () => {
    const mgr = await userWithGrants(hub, admin, 'role-manager', ['roles:manage', 'alerts:view']);
    const ok = await hub.fetch('/api/v1/roles', {
      method: 'POST',
      token: mgr.token,
      json: { name: 'Alert Readers', permissions: ['alerts:view'] },
    });
    expect(ok.status).toBe(201);
    for (const permissions of [['*'], ['alerts:*'], ['users:manage']]) {
      const res = await hub.fetch('/api/v1/roles', {
        method: 'POST',
        token: mgr.token,
        json: { name: `Too much ${permissions[0]}`, permissions },
      });
      expect((await expectError(res, 403, 'FORBIDDEN')).details).toEqual({ missing: permissions });
    }
    const ownRole = await hub.fetch(`/api/v1/roles/${mgr.role.id}`, {
      method: 'PUT',
      token: mgr.token,
      json: { permissions: ['*'] },
    });
    await expectError(ownRole, 403, 'FORBIDDEN');
  });
});
