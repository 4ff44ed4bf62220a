import { Inject, Injectable } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';

interface Attempts {
  /** Failed (or still running) attempts in the current window. */
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** Upper bound on tracked (username, address) pairs, about 1 MB. */
export const MAX_TRACKED_PAIRS = 10_000;

/**
 * Login rate limiting per (username, client address) pair: `loginMaxFailures` failures within
 * `loginLockout` seconds lock that pair out for `loginLockout` seconds. Keyed on the pair so an
 * attacker elsewhere cannot lock a real user out. In memory and per hub replica: behind a load
 * balancer each replica counts on its own.
 *
 * An attempt counts as a failure from the moment it starts and is forgiven on success, so
 * parallel guesses cannot all slip past the check while the first ones are still hashing.
 */
@Injectable()
export class LoginThrottle {
  private readonly pairs = new Map<string, Attempts>();

  constructor(
    @Inject(TYTO_CONFIG)
    private readonly config: Pick<TytoConfig, 'loginMaxFailures' | 'loginLockout'>,
  ) {}

  /** Throws 429 RATE_LIMITED while the pair is locked; otherwise counts the attempt. */
  begin(username: string, ip: string | null): void {
    const key = pairKey(username, ip);
    const now = Date.now();
    const windowMs = this.config.loginLockout * 1000;
    let a = this.pairs.get(key);
    if (a && a.lockedUntil > now) {
      const retryAfter = Math.max(1, Math.ceil((a.lockedUntil - now) / 1000));
      throw new AppError(429, 'RATE_LIMITED', 'Too many failed logins; try again later', {
        retry_after: retryAfter,
      });
    }
    if (!a || a.lockedUntil > 0 || now - a.windowStart >= windowMs) {
      a = { failures: 0, windowStart: now, lockedUntil: 0 };
    }
    a.failures += 1;
    if (a.failures >= this.config.loginMaxFailures) a.lockedUntil = now + windowMs;
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.pairs.delete(key);
    this.pairs.set(key, a);
    this.evict(now);
  }

  /** A successful login forgives the pair's failures. */
  succeeded(username: string, ip: string | null): void {
    this.pairs.delete(pairKey(username, ip));
  }

  get size(): number {
    return this.pairs.size;
  }

  private evict(now: number): void {
    if (this.pairs.size <= MAX_TRACKED_PAIRS) return;
    const windowMs = this.config.loginLockout * 1000;
    for (const [key, a] of this.pairs) {
      if (a.lockedUntil <= now && now - a.windowStart >= windowMs) this.pairs.delete(key);
    }
    // Still full of live entries: drop the least recently used ones.
    for (const key of this.pairs.keys()) {
      if (this.pairs.size <= MAX_TRACKED_PAIRS) break;
      this.pairs.delete(key);
    }
  }
}

const pairKey = (username: string, ip: string | null) => `${username.toLowerCase()}\n${ip ?? ''}`;
