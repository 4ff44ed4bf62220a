import { Global, Logger, Module } from '@nestjs/common';
import { AppError } from './errors';
import { RedisConnections } from './redis';
import { ThrottleTable } from './throttle-table';

/**
 * One budget: `limit` attempts under a key within `windowMs` lock the key for `windowMs`
 * (the `limit`-th attempt itself still goes ahead). Budgets are told apart by `name`.
 */
export interface RateBudget {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Keys the in-process counter tracks at most (see ThrottleTable); Redis expires them instead. */
  readonly maxTracked: number;
}

/** An attempt counted under one key of one budget. */
export type RateHit = readonly [budget: RateBudget, key: string];

/**
 * Counts attempts for the hub's rate limits (sign-in lockouts, registrations, enrollment). One
 * hub counts in process; replicas (TYTO_REDIS_URL) count in Redis, so the budgets are the
 * cluster's, not each replica's.
 */
export abstract class RateCounter {
  /**
   * Counts one attempt under every hit, all or none: null when counted, otherwise the seconds
   * until the first refusing key unlocks (nothing is counted then). Checked and counted in one
   * step, so parallel attempts cannot all pass the check before any is counted.
   */
  abstract hit(hits: readonly RateHit[]): Promise<number | null>;

  /** Takes one counted attempt back under each hit, lifting a lock it caused. Never throws. */
  abstract forgive(hits: readonly RateHit[]): Promise<void>;

  /** Forgets each hit's key: its count and its lock. Never throws. */
  abstract reset(hits: readonly RateHit[]): Promise<void>;
}

/** In process: one bounded ThrottleTable per budget (today's single-hub behaviour). */
export class MemoryRateCounter extends RateCounter {
  private readonly tables = new Map<string, ThrottleTable>();

  hit(hits: readonly RateHit[]): Promise<number | null> {
    const now = Date.now();
    const tables = hits.map(([budget, key]) => [this.table(budget), key] as const);
    let wait: number | null = null;
    for (const [t, key] of tables) wait ??= t.lockedFor(key, now);
    for (const [t, key] of tables) wait ??= t.room(key, now);
    if (wait === null) for (const [t, key] of tables) t.add(key, now);
    return Promise.resolve(wait);
  }

  forgive(hits: readonly RateHit[]): Promise<void> {
    for (const [budget, key] of hits) this.table(budget).forgive(key);
    return Promise.resolve();
  }

  reset(hits: readonly RateHit[]): Promise<void> {
    for (const [budget, key] of hits) this.table(budget).delete(key);
    return Promise.resolve();
  }

  /** Keys tracked under a budget, for tests. */
  size(budget: RateBudget): number {
    return this.tables.get(budget.name)?.size ?? 0;
  }

  private table(b: RateBudget): ThrottleTable {
    let t = this.tables.get(b.name);
    if (!t) {
      t = new ThrottleTable(b.limit, b.windowMs, b.maxTracked);
      this.tables.set(b.name, t);
    }
    return t;
  }
}

// KEYS: lock and count key of each hit, in pairs; ARGV: limit and window (ms) of each hit.
// A locked key refuses (its lock's remaining ms); otherwise every count goes up, the first
// attempt of a window starts its expiry, and the limit-th sets the lock and stretches the count
// to the lock's length, so a forgiven locking attempt still finds its count.
const HIT_SCRIPT = `
for i = 1, #KEYS, 2 do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 then return ttl end
end
for i = 1, #KEYS, 2 do
  local limit = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  local n = redis.call('INCR', KEYS[i + 1])
  if n == 1 or redis.call('PTTL', KEYS[i + 1]) < 0 then
    redis.call('PEXPIRE', KEYS[i + 1], window)
  end
  if n >= limit then
    redis.call('SET', KEYS[i], '1', 'PX', window)
    redis.call('PEXPIRE', KEYS[i + 1], window)
  end
end
return 0
`;

// KEYS as above; ARGV: the limit of each hit (twice, to keep the indexes of HIT_SCRIPT).
const FORGIVE_SCRIPT = `
for i = 1, #KEYS, 2 do
  local n = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if n > 0 then
    n = redis.call('DECR', KEYS[i + 1])
    if n < tonumber(ARGV[i]) then redis.call('DEL', KEYS[i]) end
  end
end
return 0
`;

/** A Redis call that takes longer than this counts as Redis being unreachable. */
export const REDIS_RATE_TIMEOUT_MS = 2_000;

/**
 * In Redis, shared by every replica: per key a count (`<prefix>rate:<budget>:c:<key>`) that
 * expires with its window and a lock (`…:l:<key>`) that expires with the lockout; both are
 * changed by one Lua script per call, so the check and the count are atomic across replicas.
 * A single Redis server (or a Sentinel-managed primary) is assumed: one call's keys are not
 * hash-tagged to one Cluster slot.
 *
 * Redis unreachable: `hit` fails closed with 503 RATE_LIMIT_UNAVAILABLE (no attempt goes
 * uncounted; docs/security.md says why); `forgive` and `reset` log and give up, which leaves
 * an attempt counted, the safe side.
 */
export class RedisRateCounter extends RateCounter {
  private readonly logger = new Logger('RateCounter');
  private down = false;

  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async hit(hits: readonly RateHit[]): Promise<number | null> {
    let ms: unknown;
    try {
      ms = await this.run(HIT_SCRIPT, hits, (b) => [b.limit, b.windowMs]);
    } catch (e) {
      this.failed(e);
      throw new AppError(
        'RATE_LIMIT_UNAVAILABLE',
        'Sign-in and enrollment limits cannot be checked right now; try again shortly',
        { retry_after: 5 },
      );
    }
    return Number(ms) > 0 ? Math.max(1, Math.ceil(Number(ms) / 1000)) : null;
  }

  async forgive(hits: readonly RateHit[]): Promise<void> {
    await this.run(FORGIVE_SCRIPT, hits, (b) => [b.limit, 0]).catch((e: unknown) => this.failed(e));
  }

  async reset(hits: readonly RateHit[]): Promise<void> {
    if (hits.length === 0) return;
    const keys = hits.flatMap(([b, key]) => this.keys(b, key));
    await this.guard(this.redis.command.del(...keys)).then(
      () => this.recovered(),
      (e: unknown) => this.failed(e),
    );
  }

  private async run(
    script: string,
    hits: readonly RateHit[],
    args: (b: RateBudget) => number[],
  ): Promise<unknown> {
    const keys = hits.flatMap(([b, key]) => this.keys(b, key));
    const argv = hits.flatMap(([b]) => args(b));
    const out = await this.guard(this.redis.command.eval(script, keys.length, ...keys, ...argv));
    this.recovered();
    return out;
  }

  private keys(b: RateBudget, key: string): [lock: string, count: string] {
    return [this.redis.key(`rate:${b.name}:l:${key}`), this.redis.key(`rate:${b.name}:c:${key}`)];
  }

  /** Rejects when Redis has not answered in REDIS_RATE_TIMEOUT_MS. */
  private guard<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${REDIS_RATE_TIMEOUT_MS} ms`)),
        REDIS_RATE_TIMEOUT_MS,
      );
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  // One line per outage, not one per refused attempt.
  private failed(e: unknown): void {
    if (!this.down) {
      this.logger.error(
        `shared rate limits unavailable (${(e as Error).message}): sign-in, registration ` +
          'and enrollment answer 503 RATE_LIMIT_UNAVAILABLE until Redis answers again',
      );
    }
    this.down = true;
  }

  private recovered(): void {
    if (this.down) this.logger.log('shared rate limits are back (Redis answers)');
    this.down = false;
  }
}

/** Provides RateCounter everywhere: in Redis when TYTO_REDIS_URL is set, else in process. */
@Global()
@Module({
  providers: [
    {
      provide: RateCounter,
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections): RateCounter =>
        redis.enabled ? new RedisRateCounter(redis) : new MemoryRateCounter(),
    },
  ],
  exports: [RateCounter],
})
export class RateCounterModule {}
