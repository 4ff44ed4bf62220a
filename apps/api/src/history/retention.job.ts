import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { HISTORY_RESOLUTIONS } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { HistoryRepository } from './history.repository';

const EVERY_MS = 10 * 60_000;
const BOOT_DELAY_MS = 30_000;
/** Rows per delete statement: small enough that the writer never waits long behind a purge. */
const BATCH = 5000;

/** Deletes history rows older than their tier's retention (TYTO_RETENTION_*), in batches. */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly repo: HistoryRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(BOOT_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.last;
  }

  /** One purge of every tier; resolves to the number of rows deleted. */
  runOnce(now = Date.now()): Promise<number> {
    const run = this.last.then(async () => {
      let deleted = 0;
      const agents = await this.repo.agents();
      for (const tier of HISTORY_RESOLUTIONS) {
        const before = now - this.config.retention[tier] * 1000;
        for (const agentId of agents) {
          deleted += await this.repo.deleteOlderThan(tier, agentId, before, BATCH);
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
