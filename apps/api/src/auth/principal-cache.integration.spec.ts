import type { MeResponse } from '@tyto/contracts';
import { createRole, createUser, expectJson, USER_PASSWORD } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';
import { AuthService as AuthService } from './auth.service';
import { SessionsRepository } from './sessions.repository';

describe.each(DB_KINDS)('authenticated requests on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('read the session from the database once, not per request', async () => {
    const token = await hub.login();
    const sessions = hub.app.get(SessionsRepository);
    const reads = jest.spyOn(sessions, 'findByTokenHash');
    const writes = jest.spyOn(sessions, 'touchMany');
    try {
      for (let i = 0; i < 50; i++) {
        expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);
      }
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
      expect(writes).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      writes.mockRestore();
    }
  });

  it('see a role change on the very next request', async () => {
    const role = await createRole(hub, admin, { name: 'cache probe', permissions: ['users:view'] });
    const user = await createUser(hub, admin, { username: 'cache-probe', roles: [role.id] });
    const token = await hub.login('cache-probe', USER_PASSWORD);
    const me = async () =>
      expectJson<MeResponse>(await hub.fetch('/api/v1/auth/me', { token }), 200);
    expect((await me()).permissions).toEqual(['users:view']);
    // A role's permissions change…
    await hub.fetch(`/api/v1/roles/${role.id}`, {
      method: 'PUT',
      token: admin,
      json: { permissions: ['audit:view'] },
    });
    expect((await me()).permissions).toEqual(['audit:view']);
    // …and the user's roles change.
    await hub.fetch(`/api/v1/users/${user.id}`, {
      method: 'PUT',
      token: admin,
      json: { roles: ['viewer'] },
    });
    expect((await me()).roles).toEqual(['viewer']);
    // Disabling refuses the cached session at once.
    await hub.fetch(`/api/v1/users/${user.id}`, {
      method: 'PUT',
      token: admin,
      json: { disabled: true },
    });
    expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(401);
  });

  it('write last-seen times back in one batch at shutdown', async () => {
    const token = await hub.login();
    const sessions = hub.app.get(SessionsRepository);
    const writes = jest.spyOn(sessions, 'touchMany');
    expect((await hub.fetch('/api/v1/auth/me', { token })).status).toBe(200);
    await hub.app.get(AuthService).onModuleDestroy();
    expect(writes).toHaveBeenCalledTimes(1);
    expect(writes.mock.calls[0][0].length).toBeGreaterThanOrEqual(1);
    writes.mockRestore();
  });
});
