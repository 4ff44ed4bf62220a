import { RollupJob } from '../history/rollup.job';
import { createTestDatabase, DB_KINDS, startHub, type TestDatabase } from '../test/hub';
import { dataSourceOptions, openDataSource } from './data-source';
import { JobLeases } from './job-leases';

describe.each(DB_KINDS)('job leases on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('lets one holder at a time in, hands over on expiry with the next token, and fences the old one', async () => {
    const ds = await openDataSource(dataSourceOptions(db));
    try {
      const a = new JobLeases(ds);
      const b = new JobLeases(ds);
      const t0 = Date.now();
      const first = await a.hold('test.job', 1000, t0);
      expect(first).toEqual({ name: 'test.job', token: 1 });
      expect(await b.hold('test.job', 1000, t0 + 10)).toBeNull();
      // Renewing keeps the token: the lease did not change hands.
      expect(await a.hold('test.job', 1000, t0 + 500)).toEqual({ name: 'test.job', token: 1 });
      expect(await b.hold('test.job', 1000, t0 + 1200)).toBeNull();
      // a stopped renewing at t0+500: from t0+1500 b may take it, with the next token.
      const taken = await b.hold('test.job', 1000, t0 + 1600);
      expect(taken).toEqual({ name: 'test.job', token: 2 });
      expect(await a.stillHeld(first as { name: string; token: number }, t0 + 1600)).toBe(false);
      expect(await a.hold('test.job', 1000, t0 + 1700)).toBeNull();
      expect(await b.stillHeld(taken as { name: string; token: number }, t0 + 1700)).toBe(true);
      // Released, it is free at once.
      await b.release('test.job');
      expect(await a.hold('test.job', 1000, t0 + 1800)).toEqual({ name: 'test.job', token: 3 });
      // Leases are per job.
      expect(await b.hold('other.job', 1000, t0 + 1800)).toEqual({ name: 'other.job', token: 1 });
    } finally {
      await ds.destroy();
    }
  });
});

describe('two replicas on one PostgreSQL database', () => {
  it('run each rollup pass on one of them, and the other takes over when it stops', async () => {
    const db = await createTestDatabase('postgres');
    const a = await startHub('postgres', {}, db);
    const b = await startHub('postgres', {}, db);
    let aClosed = false;
    try {
      const ran = await Promise.all([
        a.app.get(RollupJob).runOnce(),
        b.app.get(RollupJob).runOnce(),
      ]);
      expect(ran.filter(Boolean)).toHaveLength(1);
      const [holder, other] = ran[0] ? [a, b] : [b, a];
      // The holder keeps it pass after pass; the other keeps out.
      expect(await holder.app.get(RollupJob).runOnce()).toBe(true);
      expect(await other.app.get(RollupJob).runOnce()).toBe(false);
      // A replica that stops hands its leases on at once.
      await holder.close();
      if (holder === a) aClosed = true;
      expect(await other.app.get(RollupJob).runOnce()).toBe(true);
      if (holder === b) {
        await a.close();
        aClosed = true;
      }
    } finally {
      if (!aClosed) await a.close();
      await b.close().catch(() => undefined);
      await db.drop();
    }
  }, 60_000);
});
