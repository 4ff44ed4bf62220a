import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { expectError, expectJson } from '../test/api';
import { DB_KINDS, PG_ADMIN_URL, startHub, type TestHub } from '../test/hub';

describe.each(DB_KINDS)('GET /health/ready on %s', (kind) => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startHub(kind);
  });
  afterEach(async () => {
    await hub.close();
  });

  it('answers ok without auth while the database answers', async () => {
    const res = await hub.fetch('/health/ready');
    expect(await expectJson(res, 200)).toEqual({
      status: 'ok',
      checks: { database: { status: 'ok' } },
    });
  });

  it('answers 503 NOT_READY with the failed check when the database is gone', async () => {
    await hub.app.get(DataSource).destroy();
    const body = await expectError(await hub.fetch('/health/ready'), 503, 'NOT_READY');
    expect(body.details).toEqual({
      checks: { database: { status: 'down', error: expect.any(String) } },
    });
    // Liveness stays the seed's answer: the process itself is fine.
    expect((await hub.fetch('/health')).status).toBe(200);
  });
});

describe('GET /health/ready on a dropped PostgreSQL database', () => {
  it('answers 503 NOT_READY naming the driver error', async () => {
    const hub = await startHub('postgres');
    try {
      const name = new URL(hub.config.databaseUrl ?? '').pathname.slice(1);
      const admin = new Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
      const body = await expectError(await hub.fetch('/health/ready'), 503, 'NOT_READY');
      expect(body.details).toEqual({
        checks: { database: { status: 'down', error: expect.any(String) } },
      });
    } finally {
      await hub.close();
    }
  });
});
