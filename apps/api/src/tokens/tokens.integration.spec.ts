import {
  ApiTokenListResponseSchema,
  ApiTokenSchema,
  CreateApiTokenResponseSchema,
  MeResponseSchema,
  type AuditListResponse,
  type CreateApiTokenResponse,
} from '@tyto/contracts';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createRole, createUser, expectError, expectJson, USER_PASSWORD } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('API tokens on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  const createToken = async (
    session: string,
    body: { name: string; permissions: string[]; expires_at?: string | null },
  ): Promise<CreateApiTokenResponse> =>
    CreateApiTokenResponseSchema.strict().parse(
      await expectJson(
        await hub.fetch('/api/v1/tokens', { method: 'POST', token: session, json: body }),
        201,
      ),
    );
  const me = async (token: string) =>
    MeResponseSchema.parse(await expectJson(await hub.fetch('/api/v1/auth/me', { token }), 200));
  const listOwn = async (session: string) =>
    ApiTokenListResponseSchema.parse(
      await expectJson(await hub.fetch('/api/v1/tokens', { token: session }), 200),
    ).tokens;
  const status = async (path: string, token: string) => (await hub.fetch(path, { token })).status;

  it('issues a prefixed random token once, stores only its SHA-256, and authenticates with it', async () => {
    const created = await createToken(admin, { name: 'ci', permissions: ['dashboard:view'] });
    expect(created.token).toMatch(/^tyto_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'ci',
      permissions: ['dashboard:view'],
      username: 'admin',
      expires_at: null,
      last_used_at: null,
      revoked: false,
    });
    const rows: { token_hash: string }[] = await hub.app
      .get(DataSource)
      .query(`SELECT token_hash FROM api_tokens WHERE id = '${created.id}'`);
    expect(rows).toEqual([
      { token_hash: createHash('sha256').update(created.token).digest('hex') },
    ]);

    const principal = await me(created.token);
    expect(principal.username).toBe('admin');
    expect(principal.permissions).toEqual(['dashboard:view']);
    await expectError(await hub.fetch('/api/v1/audit', { token: created.token }), 403, 'FORBIDDEN');
  });

  it('lists the caller’s tokens without secrets, with the last use', async () => {
    const created = await createToken(admin, { name: 'listed', permissions: ['dashboard:view'] });
    await me(created.token);
    const listed = (await listOwn(admin)).find((t) => t.id === created.id);
    expect(listed).toBeDefined();
    ApiTokenSchema.strict().parse(listed);
    expect(JSON.stringify(await listOwn(admin))).not.toContain(created.token);
    expect(Date.parse(listed?.last_used_at ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('revokes at once: the next request with the token is refused', async () => {
    const created = await createToken(admin, { name: 'short', permissions: ['dashboard:view'] });
    await me(created.token);
    const res = await hub.fetch(`/api/v1/tokens/${created.id}`, { method: 'DELETE', token: admin });
    expect(res.status).toBe(204);
    await expectError(
      await hub.fetch('/api/v1/auth/me', { token: created.token }),
      401,
      'SESSION_EXPIRED',
    );
    expect((await listOwn(admin)).find((t) => t.id === created.id)?.revoked).toBe(true);
  });

  it('refuses permissions the creator does not hold with 403 naming them', async () => {
    await createUser(hub, admin, { username: 'tok-viewer', roles: ['viewer'] });
    const viewer = await hub.login('tok-viewer', USER_PASSWORD);
    const body = await expectError(
      await hub.fetch('/api/v1/tokens', {
        method: 'POST',
        token: viewer,
        json: { name: 'grab', permissions: ['dashboard:view', 'users:manage', 'alerts:*'] },
      }),
      403,
      'FORBIDDEN',
    );
    expect(body.details).toEqual({ missing: ['users:manage', 'alerts:*'] });
  });

  it('refuses unknown permissions, an empty list and a past expiry with 400', async () => {
    for (const json of [
      { name: 'x', permissions: ['nope:never'] },
      { name: 'x', permissions: [] },
      { name: 'x', permissions: ['dashboard:view'], expires_at: '2000-01-01T00:00:00Z' },
      { name: '', permissions: ['dashboard:view'] },
    ]) {
      await expectError(
        await hub.fetch('/api/v1/tokens', { method: 'POST', token: admin, json }),
        400,
        'VALIDATION_FAILED',
      );
    }
  });

  it('does not let a token mint, list or revoke tokens', async () => {
    const created = await createToken(admin, { name: 'minter', permissions: ['*'] });
    await expectError(
      await hub.fetch('/api/v1/tokens', {
        method: 'POST',
        token: created.token,
        json: { name: 'child', permissions: ['dashboard:view'] },
      }),
      403,
      'FORBIDDEN',
    );
    expect(await status('/api/v1/tokens', created.token)).toBe(403);
    expect(await status('/api/v1/admin/tokens', created.token)).toBe(403);
  });

  it('cuts a token to its owner’s current grants when the owner is demoted', async () => {
    const role = await createRole(hub, admin, {
      name: 'Token Owner',
      permissions: ['dashboard:view', 'alerts:*'],
    });
    await createUser(hub, admin, { username: 'tok-owner', roles: [role.id] });
    const owner = await hub.login('tok-owner', USER_PASSWORD);
    const created = await createToken(owner, {
      name: 'alerts bot',
      permissions: ['alerts:*', 'dashboard:view'],
    });
    expect((await me(created.token)).permissions).toEqual(
      expect.arrayContaining(['dashboard:view', 'alerts:view', 'alerts:manage']),
    );
    const res = await hub.fetch(`/api/v1/roles/${role.id}`, {
      method: 'PUT',
      token: admin,
      json: { permissions: ['dashboard:view', 'alerts:view'] },
    });
    expect(res.status).toBe(200);
    expect((await me(created.token)).permissions).toEqual(['dashboard:view', 'alerts:view']);
  });

  it('refuses the tokens of a disabled owner', async () => {
    const user = await createUser(hub, admin, { username: 'tok-leaver', roles: ['viewer'] });
    const session = await hub.login('tok-leaver', USER_PASSWORD);
    const created = await createToken(session, { name: 'cron', permissions: ['dashboard:view'] });
    await me(created.token);
    const res = await hub.fetch(`/api/v1/users/${user.id}`, { method: 'DELETE', token: admin });
    expect(res.status).toBe(204);
    expect(await status('/api/v1/auth/me', created.token)).toBe(401);
  });

  it('refuses an expired token', async () => {
    const created = await createToken(admin, {
      name: 'expiring',
      permissions: ['dashboard:view'],
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(created.expires_at).not.toBeNull();
    await hub.app
      .get(DataSource)
      .query(
        `UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = '${created.id}'`,
      );
    expect(await status('/api/v1/auth/me', created.token)).toBe(401);
  });

  describe('admin view', () => {
    it('lists and revokes anyone’s tokens for tokens:manage; others get 403 or 404', async () => {
      await createUser(hub, admin, { username: 'tok-other', roles: ['operator'] });
      const other = await hub.login('tok-other', USER_PASSWORD);
      const theirs = await createToken(other, { name: 'theirs', permissions: ['agents:view'] });

      expect(await status('/api/v1/admin/tokens', other)).toBe(403);
      expect(
        (await hub.fetch(`/api/v1/tokens/${theirs.id}`, { method: 'DELETE', token: admin })).status,
      ).toBe(404);

      const all = ApiTokenListResponseSchema.parse(
        await expectJson(await hub.fetch('/api/v1/admin/tokens', { token: admin }), 200),
      ).tokens;
      expect(all.find((t) => t.id === theirs.id)).toMatchObject({ username: 'tok-other' });
      expect((await listOwn(admin)).some((t) => t.id === theirs.id)).toBe(false);

      const res = await hub.fetch(`/api/v1/admin/tokens/${theirs.id}`, {
        method: 'DELETE',
        token: admin,
      });
      expect(res.status).toBe(204);
      expect(await status('/api/v1/auth/me', theirs.token)).toBe(401);
    });
  });

  it('audits every create and revoke, never with the secret', async () => {
    const created = await createToken(admin, { name: 'audited', permissions: ['dashboard:view'] });
    await hub.fetch(`/api/v1/tokens/${created.id}`, { method: 'DELETE', token: admin });
    const text = await (await hub.fetch('/api/v1/audit?limit=500', { token: admin })).text();
    expect(text).not.toContain(created.token);
    const { entries } = JSON.parse(text) as AuditListResponse;
    const mine = entries.filter((e) => e.target === created.id);
    expect(mine.map((e) => e.action).sort()).toEqual(['token.create', 'token.revoke']);
    expect(mine.find((e) => e.action === 'token.create')?.details).toMatchObject({
      name: 'audited',
      permissions: ['dashboard:view'],
    });
  });
});
