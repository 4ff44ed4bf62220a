import { Inject, Injectable } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import { RateCounter, type RateBudget } from '../common/rate-counter';

/** Upper bound on tracked (username, address) pairs in process, about 1 MB. */
export const MAX_TRACKED_PAIRS = 10_000;
/** Upper bound on tracked client addresses in process, for the login and the registration budgets each. */
export const MAX_TRACKED_ADDRESSES = 10_000;
const HOUR_MS = 3600_000;

type Config = Pick<
  TytoConfig,
  'loginMaxFailures' | 'loginLockout' | 'loginAddressMaxFailures' | 'registrationsPerHour'
>;

/**
 * Sign-in and sign-up rate limiting, counted by the RateCounter: in process on one hub, in
 * Redis across replicas (TYTO_REDIS_URL), so a brute force spread over replicas meets one budget.
 * - per (username, client address): `loginMaxFailures` failures within `loginLockout` seconds
 *   lock that pair out for `loginLockout`; keyed on the pair so an attacker elsewhere cannot
 *   lock a real user out;
 * - per client address: `loginAddressMaxFailures` failures, whatever the usernames, lock every
 *   login from that address out for `loginLockout` (password spraying). A success takes back
 *   only its own attempt, never the address's earlier failures;
 * - per client address: `registrationsPerHour` registrations.
 *
 * An attempt counts as a failure from the moment it starts and is forgiven on success, so
 * parallel guesses cannot all slip past the check while the first ones are still hashing.
 * In process the tables are bounded and never forget a lock (ThrottleTable): when one is full
 * of locks, an attempt under a new key is refused with 429 too.
 */
@Injectable()
export class LoginThrottle {
  readonly pairs: RateBudget;
  readonly addresses: RateBudget;
  readonly registrations: RateBudget;

  constructor(
    @Inject(TYTO_CONFIG) config: Config,
    private readonly counter: RateCounter,
  ) {
    const windowMs = config.loginLockout * 1000;
    this.pairs = {
      name: 'login.pair',
      limit: config.loginMaxFailures,
      windowMs,
      maxTracked: MAX_TRACKED_PAIRS,
    };
    this.addresses = {
      name: 'login.address',
      limit: config.loginAddressMaxFailures,
      windowMs,
      maxTracked: MAX_TRACKED_ADDRESSES,
    };
    this.registrations = {
      name: 'register.address',
      limit: config.registrationsPerHour,
      windowMs: HOUR_MS,
      maxTracked: MAX_TRACKED_ADDRESSES,
    };
  }

  /** Throws 429 RATE_LIMITED while the pair or the address is locked; otherwise counts. */
  async begin(username: string, ip: string | null): Promise<void> {
    const wait = await this.counter.hit([
      [this.addresses, ip ?? ''],
      [this.pairs, pairKey(username, ip)],
    ]);
    if (wait !== null) throw rateLimited('Too many failed logins; try again later', wait);
  }

  /** A successful login forgives the pair's failures and its own attempt from the address. */
  async succeeded(username: string, ip: string | null): Promise<void> {
    await Promise.all([
      this.counter.reset([[this.pairs, pairKey(username, ip)]]),
      this.counter.forgive([[this.addresses, ip ?? '']]),
    ]);
  }

  /** Takes back an attempt that never checked a password (refused for load). */
  async forgive(username: string, ip: string | null): Promise<void> {
    await this.counter.forgive([
      [this.pairs, pairKey(username, ip)],
      [this.addresses, ip ?? ''],
    ]);
  }

  /** Throws 429 once the address has registered `registrationsPerHour` times; else counts. */
  async beginRegistration(ip: string | null): Promise<void> {
    const wait = await this.counter.hit([[this.registrations, ip ?? '']]);
    if (wait !== null) throw rateLimited('Too many registrations; try again later', wait);
  }

  /** Takes back a registration that created nothing and revealed nothing (weak password). */
  async forgiveRegistration(ip: string | null): Promise<void> {
    await this.counter.forgive([[this.registrations, ip ?? '']]);
  }
}

const pairKey = (username: string, ip: string | null) => `${username.toLowerCase()}\n${ip ?? ''}`;

const rateLimited = (message: string, retryAfter: number) =>
  new AppError('RATE_LIMITED', message, { retry_after: retryAfter });
