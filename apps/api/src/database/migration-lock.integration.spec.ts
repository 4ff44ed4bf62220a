import { Client } from 'pg';
import { createTestDatabase, startHub, type TestDatabase, type TestHub } from '../test/hub';
import { POSTGRES_MIGRATIONS } from './migrations';

describe('replicas starting together on an empty PostgreSQL database', () => {
  let db: TestDatabase;
  const hubs: TestHub[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.close()));
    await db.drop();
  });

  it('both come up, and every migration is applied once', async () => {
    const started = await Promise.allSettled([
      startHub('postgres', {}, db),
      startHub('postgres', {}, db),
      startHub('postgres', {}, db),
    ]);
    for (const s of started) if (s.status === 'fulfilled') hubs.push(s.value);
    expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'up'))).toEqual([
      'up',
      'up',
      'up',
    ]);
    const c = new Client({ connectionString: db.databaseUrl ?? '' });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string; n: string }>(
        'SELECT name, count(*) AS n FROM migrations GROUP BY name ORDER BY name',
      );
      expect(rows.map((r) => r.name).sort()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.name).sort());
      expect(rows.every((r) => r.n === '1')).toBe(true);
      const admins = await c.query("SELECT count(*) AS n FROM users WHERE username = 'admin'");
      expect(admins.rows[0].n).toBe('1');
    } finally {
      await c.end();
    }
    // Each replica answers with the same admin.
    for (const hub of hubs) await expect(hub.login()).resolves.toEqual(expect.any(String));
  }, 120_000);
});
