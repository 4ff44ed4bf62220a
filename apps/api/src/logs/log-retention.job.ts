import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { JobLeases } from '../database/job-leases';
import { LOG_STORE, type LogStore } from './log-store';

const EVERY_MS = 10 * 60_000;
const BOOT_DELAY_MS = 30_000;
/** Rows per delete transaction: small enough that ingest never waits long behind a purge. */
const BATCH = 5000;
export const LOG_RETENTION_LEASE = 'logs.retention';

/**
 * Deletes log lines older than TYTO_LOG_RETENTION, then each host's oldest lines while it holds
 * more than TYTO_LOG_MAX_BYTES, in batches.
 */
@Injectable()
export class LogRetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LogRetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    @Inject(LOG_STORE) private readonly store: LogStore,
    private readonly leases: JobLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(BOOT_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.last;
  }

  /**
   * One purge; resolves to the number of lines deleted, or null when another hub on the same
   * database holds the lease (it purges). Like the history retention, each host's deletes wait
   * for a fencing check, so a hub that lost the lease mid-pass deletes nothing more.
   */
  runOnce(now = Date.now()): Promise<number | null> {
    const run = this.last.then(async () => {
      const lease = await this.leases.hold(LOG_RETENTION_LEASE, EVERY_MS + 60_000);
      if (!lease) return null;
      let deleted = 0;
      const before = now - this.config.logRetention * 1000;
      for (const agentId of await this.store.agents()) {
        if (!(await this.leases.stillHeld(lease))) break;
        for (let n = BATCH; n === BATCH && !this.stopped;) {
          n = await this.store.deleteOlderThan(agentId, before, BATCH);
          deleted += n;
        }
        let bytes = await this.store.bytesOf(agentId);
        while (bytes > this.config.logMaxBytes && !this.stopped) {
          const r = await this.store.deleteOldest(agentId, BATCH, bytes - this.config.logMaxBytes);
          if (r.deleted === 0) break;
          deleted += r.deleted;
          bytes -= r.bytes;
        }
      }
      if (deleted) this.logger.log(`deleted ${deleted} expired log lines`);
      return deleted;
    });
    this.last = run.catch((e: unknown) => {
      this.logger.error(`log retention failed: ${(e as Error).message}`);
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
