import type { MeResponse, User } from '@tyto/contracts';
import argon2 from 'argon2';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { expectJson } from '../test/api';
import { ADMIN_PASSWORD, createTestDatabase, DB_KINDS, startHub } from '../test/hub';
import { dataSourceOptions, openDataSource } from './data-source';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(DB_KINDS)('the user-providers migration on %s', (kind) => {
  it('keeps existing local users, their roles and their sessions', async () => {
    const db = await createTestDatabase(kind);
    try {
      // The schema as it was before the migration, holding a local user with a live session.
      const before = (kind === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).filter(
        (m) => !m.name.startsWith('UserProviders'),
      );
      const old = await openDataSource({ ...dataSourceOptions(db), migrations: before } as never);
      const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
      const now = new Date().toISOString();
      const later = new Date(Date.now() + 3600_000).toISOString();
      await old.query(
        `INSERT INTO roles (id, name, description, permissions, is_system, created_at, updated_at) VALUES (${p(1)}, ${p(2)}, '', ${p(3)}, ${kind === 'postgres' ? 'true' : '1'}, ${p(4)}, ${p(5)})`,
        ['admin', 'Administrator', '[]', now, now],
      );
      await old.query(
        `INSERT INTO users (id, username, username_key, email, password_hash, auth_provider, created_at, updated_at) VALUES (${p(1)}, 'Olduser', 'olduser', NULL, ${p(2)}, 'local', ${p(3)}, ${p(4)})`,
        ['11111111-1111-4111-8111-111111111111', await argon2.hash(ADMIN_PASSWORD), now, now],
      );
      await old.query(`INSERT INTO user_roles (user_id, role_id) VALUES (${p(1)}, 'admin')`, [
        '11111111-1111-4111-8111-111111111111',
      ]);
      await old.query(
        `INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at) VALUES ('s1', ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
        ['11111111-1111-4111-8111-111111111111', sha256('old-session-token'), now, later, now],
      );
      await old.destroy();

      // The hub runs the new migration at start.
      const hub = await startHub(kind, {}, db);
      try {
        const me = await expectJson<MeResponse>(
          await hub.fetch('/api/v1/auth/me', { token: 'old-session-token' }),
          200,
        );
        expect(me).toMatchObject({ username: 'Olduser', roles: ['admin'], auth_provider: 'local' });
        const token = await hub.login('olduser', ADMIN_PASSWORD);
        const { users } = await expectJson<{ users: User[] }>(
          await hub.fetch('/api/v1/users', { token }),
          200,
        );
        expect(users).toEqual([
          expect.objectContaining({
            username: 'Olduser',
            auth_provider: 'local',
            provider_roles: [],
          }),
        ]);
        const [row] = (await hub.app
          .get(DataSource)
          .query(`SELECT external_id FROM users WHERE username_key = 'olduser'`)) as {
          external_id: string;
        }[];
        expect(row.external_id).toBe('11111111-1111-4111-8111-111111111111');
      } finally {
        await hub.close();
      }
    } finally {
      await db.drop();
    }
  });
});
