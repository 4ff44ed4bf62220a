import { Inject, Injectable } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import { ThrottleTable } from './throttle-table';

/** Upper bound on tracked (username, address) pairs, about 1 MB. */
export const MAX_TRACKED_PAIRS = 10_000;
/** Upper bound on tracked client addresses, for the login and the registration budgets each. */
export const MAX_TRACKED_ADDRESSES = 10_000;
const HOUR_MS = 3600_000;

type Config = Pick<
  TytoConfig,
  'loginMaxFailures' | 'loginLockout' | 'loginAddressMaxFailures' | 'registrationsPerHour'
>;

/**
 * Sign-in and sign-up rate limiting, in memory and per hub replica (behind a load balancer each
 * replica counts on its own):
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
 * The tables are bounded and never forget a lock (ThrottleTable): when one is full of locks, an
 * attempt under a new key is refused with 429 too.
 */
@Injectable()
export class LoginThrottle {
  private readonly pairs: ThrottleTable;
  private readonly addresses: ThrottleTable;
  private readonly registrations: ThrottleTable;

  constructor(@Inject(TYTO_CONFIG) config: Config) {
    const windowMs = config.loginLockout * 1000;
    this.pairs = new ThrottleTable(config.loginMaxFailures, windowMs, MAX_TRACKED_PAIRS);
    this.addresses = new ThrottleTable(
      config.loginAddressMaxFailures,
      windowMs,
      MAX_TRACKED_ADDRESSES,
    );
    this.registrations = new ThrottleTable(
      config.registrationsPerHour,
      HOUR_MS,
      MAX_TRACKED_ADDRESSES,
    );
  }

  /** Throws 429 RATE_LIMITED while the pair or the address is locked; otherwise counts. */
  begin(username: string, ip: string | null): void {
    const pair = pairKey(username, ip);
    const address = ip ?? '';
    const now = Date.now();
    const wait =
      this.addresses.lockedFor(address, now) ??
      this.pairs.lockedFor(pair, now) ??
      this.addresses.room(address, now) ??
      this.pairs.room(pair, now);
    if (wait !== null) throw rateLimited('Too many failed logins; try again later', wait);
    this.addresses.add(address, now);
    this.pairs.add(pair, now);
  }

  /** A successful login forgives the pair's failures and its own attempt from the address. */
  succeeded(username: string, ip: string | null): void {
    this.pairs.delete(pairKey(username, ip));
    this.addresses.forgive(ip ?? '');
  }

  /** Takes back an attempt that never checked a password (refused for load). */
  forgive(username: string, ip: string | null): void {
    this.pairs.forgive(pairKey(username, ip));
    this.addresses.forgive(ip ?? '');
  }

  /** Throws 429 once the address has registered `registrationsPerHour` times; else counts. */
  beginRegistration(ip: string | null): void {
    const address = ip ?? '';
    const now = Date.now();
    const wait =
      this.registrations.lockedFor(address, now) ?? this.registrations.room(address, now);
    if (wait !== null) throw rateLimited('Too many registrations; try again later', wait);
    this.registrations.add(address, now);
  }

  /** Takes back a registration that created nothing and revealed nothing (weak password). */
  forgiveRegistration(ip: string | null): void {
    this.registrations.forgive(ip ?? '');
  }

  /** Tracked (username, address) pairs, for tests. */
  get size(): number {
    return this.pairs.size;
  }
}

const pairKey = (username: string, ip: string | null) => `${username.toLowerCase()}\n${ip ?? ''}`;

const rateLimited = (message: string, retryAfter: number) =>
  new AppError('RATE_LIMITED', message, { retry_after: retryAfter });
