import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  dropRedisKeys,
  redisKeys,
  redisRelay,
  TEST_REDIS_URL,
  testRedisPrefix,
} from '../test/shared-redis';
import { loadConfig } from './config';
import { AppError } from './errors';
import {
  MemoryRateCounter,
  RedisRateCounter,
  type RateBudget,
  type RateCounter,
} from './rate-counter';
import { RedisConnections } from './redis';

const budget = (name: string, limit: number, windowMs = 60_000): RateBudget => ({
  name,
  limit,
  windowMs,
  maxTracked: 1000,
});

describe(RedisRateCounter.name, () => {
  const prefix = testRedisPrefix();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-rate-'));
  const opened: RedisConnections[] = [];

  async function connections(url = TEST_REDIS_URL): Promise<RedisConnections> {
    const config = loadConfig(
      { TYTO_DATA_DIR: dataDir, TYTO_REDIS_URL: url, TYTO_REDIS_PREFIX: prefix },
      null,
    );
    const c = new RedisConnections(config);
    await c.onModuleInit();
    opened.push(c);
    return c;
  }

  /** Two counters on two connections, as two replicas would hold them. */
  let a: RateCounter;
  let b: RateCounter;
  beforeAll(async () => {
    a = new RedisRateCounter(await connections());
    b = new RedisRateCounter(await connections());
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.onApplicationShutdown()));
    await dropRedisKeys(prefix);
    expect(await redisKeys(prefix)).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('hit', () => {
    it('locks a key at its limit whichever replica counted, with the seconds left', async () => {
      const x = budget('t.lock', 3);
      expect(await a.hit([[x, 'k']])).toBeNull();
      expect(await b.hit([[x, 'k']])).toBeNull();
      expect(await a.hit([[x, 'k']])).toBeNull();
      expect(await b.hit([[x, 'k']])).toBe(60);
      expect(await a.hit([[x, 'other']])).toBeNull();
    });

    it('counts all or none: a locked key stops the others from counting', async () => {
      const pair = budget('t.pair', 2);
      const address = budget('t.address', 10);
      await a.hit([[pair, 'p']]);
      await a.hit([[pair, 'p']]);
      expect(
        await b.hit([
          [address, 'ip'],
          [pair, 'p'],
        ]),
      ).toBe(60);
      // The refused attempt did not count toward the address: 10 more pass with other pairs.
      for (let i = 0; i < 9; i++)
        expect(
          await a.hit([
            [address, 'ip'],
            [pair, `q${i}`],
          ]),
        ).toBeNull();
      expect(
        await b.hit([
          [address, 'ip'],
          [pair, 'q-last'],
        ]),
      ).toBeNull();
      expect(
        await a.hit([
          [address, 'ip'],
          [pair, 'q-next'],
        ]),
      ).toBe(60);
    });

    it('lets exactly the limit through when attempts race on two replicas', async () => {
      const x = budget('t.race', 5);
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit([[x, 'burst']])),
      );
      expect(answers.filter((w) => w === null)).toHaveLength(5);
    });

    it('keeps its keys under the prefix, each expiring', async () => {
      const x = budget('t.ttl', 2, 30_000);
      await a.hit([[x, 'e']]);
      await a.hit([[x, 'e']]);
      const keys = (await redisKeys(prefix)).filter((k) => k.includes(':t.ttl:'));
      expect(keys.sort()).toEqual([`${prefix}rate:t.ttl:c:e`, `${prefix}rate:t.ttl:l:e`]);
    });
  });

  describe('forgive', () => {
    it('takes an attempt back and lifts the lock it caused', async () => {
      const x = budget('t.forgive', 2);
      await a.hit([[x, 'k']]);
      await b.hit([[x, 'k']]);
      expect(await a.hit([[x, 'k']])).not.toBeNull();
      await b.forgive([[x, 'k']]);
      expect(await a.hit([[x, 'k']])).toBeNull();
      expect(await a.hit([[x, 'k']])).not.toBeNull();
    });

    it('does nothing for a key never counted', async () => {
      const x = budget('t.forgive-none', 1);
      await a.forgive([[x, 'k']]);
      expect(await a.hit([[x, 'k']])).toBeNull();
      expect(await a.hit([[x, 'k']])).not.toBeNull();
    });
  });

  describe('reset', () => {
    it('forgets the count and the lock on every replica', async () => {
      const x = budget('t.reset', 2);
      await a.hit([[x, 'k']]);
      await a.hit([[x, 'k']]);
      await b.reset([[x, 'k']]);
      expect(await a.hit([[x, 'k']])).toBeNull();
      expect(await b.hit([[x, 'k']])).toBeNull();
      expect(await a.hit([[x, 'k']])).not.toBeNull();
    });
  });

  describe('with Redis unreachable', () => {
    it('refuses with 503 RATE_LIMIT_UNAVAILABLE; forgive and reset do not throw', async () => {
      const relay = await redisRelay();
      const c = new RedisRateCounter(await connections(relay.url));
      const x = budget('t.down', 5);
      expect(await c.hit([[x, 'k']])).toBeNull();
      await relay.cut();
      const err = await c.hit([[x, 'k']]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({
        code: 'RATE_LIMIT_UNAVAILABLE',
        status: 503,
        details: { retry_after: 5 },
      });
      await expect(c.forgive([[x, 'k']])).resolves.toBeUndefined();
      await expect(c.reset([[x, 'k']])).resolves.toBeUndefined();
    });
  });
});

describe(MemoryRateCounter.name, () => {
  it('counts all or none, like the Redis counter', async () => {
    const c = new MemoryRateCounter();
    const pair = budget('m.pair', 2);
    const address = budget('m.address', 3);
    await c.hit([[pair, 'p']]);
    await c.hit([[pair, 'p']]);
    expect(
      await c.hit([
        [address, 'ip'],
        [pair, 'p'],
      ]),
    ).toBe(60);
    expect(
      await c.hit([
        [address, 'ip'],
        [pair, 'q1'],
      ]),
    ).toBeNull();
    expect(
      await c.hit([
        [address, 'ip'],
        [pair, 'q2'],
      ]),
    ).toBeNull();
    expect(
      await c.hit([
        [address, 'ip'],
        [pair, 'q3'],
      ]),
    ).toBeNull();
    expect(
      await c.hit([
        [address, 'ip'],
        [pair, 'q4'],
      ]),
    ).toBe(60);
  });
});
