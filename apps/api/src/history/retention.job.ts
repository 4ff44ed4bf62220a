import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { HISTORY_RESOLUTIONS } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { JobLeases } from '../database/job-leases';
import { nextTurn } from '../database/serial';
import { HistoryRepository } from './history.repository';

const EVERY_MS = 10 * 60_000;
const BOOT_DELAY_MS = 30_000;
/** Rows per delete statement: small enough that the writer never waits long behind a purge. */
const BATCH = 5000;
export const RETENTION_LEASE = 'history.retention';

/** Deletes history rows older than their tier's retention (TYTO_RETENTION_*), in batches. */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly repo: HistoryRepository,
    private readonly leases: JobLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(BOOT_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.last;
  }

  /**
   * One purge of every tier; resolves to the number of rows deleted, or null when another
   * replica holds the retention lease.
   */
  runOnce(now = Date.now()): Promise<number | null> {
    const run = this.last.then(async () => {
      const lease = await this.leases.hold(RETENTION_LEASE, EVERY_MS + 60_000);
      if (!lease) return null;
      let deleted = 0;
      const agents = await this.repo.agents();
      for (const tier of HISTORY_RESOLUTIONS) {
        const before = now - this.config.retention[tier] * 1000;
        for (const agentId of agents) {
          if (!(await this.leases.stillHeld(lease))) return deleted;
          deleted += await this.repo.deleteOlderThan(tier, agentId, before, BATCH);
          // Between agents, not inside a transaction: SSE frames and acks go out meanwhile.
          await nextTurn();
        }
      }
      if (deleted) this.logger.log(`deleted ${deleted} expired history rows`);
      return deleted;
    });
    this.last = run.catch((e: unknown) => {
      this.logger.error(`history retention failed: ${(e as Error).message}`);
    });
    return run;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.runOnce()
        .catch(() => undefined)
        .finally(() => {
          if (this.timer) this.schedule(EVERY_MS);
        });
    }, delayMs);
    this.timer.unref();
  }
}
