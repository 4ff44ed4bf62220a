import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { AppError } from '../common/errors';

/** Hashes at once; more wait in line; past that, 429. Each hash holds its memory cost. */
const MAX_CONCURRENT_HASHES = 2;
const MAX_WAITING_HASHES = 32;

/**
 * argon2id with OWASP's first recommended setting (46 MiB, t=1, p=1; as strong as 19 MiB with
 * t=2). The size matters for memory: glibc serves any allocation over 32 MiB (its largest mmap
 * threshold) with its own mapping and unmaps it when freed, so a hash's memory goes back to the
 * system at once; a 19 MiB buffer stayed in each thread-pool thread's malloc arena for good.
 * Hashing is capped at two at a time, so a burst of logins costs the burst, not everyone; the
 * unknown-user path hashes too (a dummy), so a wrong username takes as long as a wrong password.
 * Existing hashes keep verifying with the parameters stored in them.
 */
@Injectable()
export class PasswordService {
  private static readonly OPTIONS = {
    type: argon2.argon2id,
    memoryCost: 46 * 1024,
    timeCost: 1,
    parallelism: 1,
  } as const;
  private dummyHash: Promise<string> | null = null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  hash(password: string): Promise<string> {
    return this.limited(() => argon2.hash(password, PasswordService.OPTIONS));
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      this.dummyHash ??= this.hash('tyto-timing-equaliser');
      const dummy = await this.dummyHash;
      await this.limited(() => argon2.verify(dummy, password)).catch((e: unknown) => {
        if (e instanceof AppError) throw e;
        return false;
      });
      return false;
    }
    try {
      return await this.limited(() => argon2.verify(hash, password));
    } catch (e) {
      if (e instanceof AppError) throw e;
      return false;
    }
  }

  /** Hashing in progress and waiting, for metrics and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_HASHES) {
      if (this.waiting.length >= MAX_WAITING_HASHES) {
        throw new AppError('RATE_LIMITED', 'Too many sign-ins at once; try again shortly', {
          retry_after: 1,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
