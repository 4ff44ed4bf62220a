import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReadinessCheckStatus, ReadinessResponse } from '@tyto/contracts';
import { notReady } from '../common/errors';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

/** A check that has not answered by then counts as down (a probe must not hang on a lost host). */
export const CHECK_TIMEOUT_MS = 3000;

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  /** Names of the checks that were down at the last probe, to log changes only. */
  private down = new Set<string>();

  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  /** Every check's state; throws NOT_READY (503) carrying them when any is down. */
  async ready(): Promise<ReadinessResponse> {
    const results = await Promise.all(
      this.checks.map(async (c): Promise<[string, ReadinessCheckStatus]> => {
        try {
          await withTimeout(c.check(), CHECK_TIMEOUT_MS);
          return [c.name, { status: 'ok' }];
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          return [c.name, { status: 'down', error: message.split('\n')[0].slice(0, 200) }];
        }
      }),
    );
    this.logChanges(results);
    const checks = Object.fromEntries(results);
    if (results.some(([, r]) => r.status === 'down')) throw notReady({ checks });
    return { status: 'ok', checks };
  }

  private logChanges(results: [string, ReadinessCheckStatus][]): void {
    const down = new Set(results.filter(([, r]) => r.status === 'down').map(([n]) => n));
    for (const [name, r] of results) {
      if (r.status === 'down' && !this.down.has(name)) {
        this.logger.warn(`${name} is down: ${r.error ?? ''}`);
      } else if (r.status === 'ok' && this.down.has(name)) {
        this.logger.log(`${name} is back`);
      }
    }
    this.down = down;
  }
}
