import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { JobLeases, type Lease } from '../database/job-leases';
import { nextTurn } from '../database/serial';
import { HistoryRepository, type SourceRows } from './history.repository';
import {
  bucketFromBuckets,
  bucketFromSamples,
  floorTo,
  groupByBucket,
  type Bucket,
} from './history-series';
import { ROLLUPS, type RollupSpec } from './history-tiers';

/** A minute is rolled up once it is this old, leaving time for the writer's last flush. */
const GRACE_MS = 10_000;
/** Passes start this far into each minute, just after GRACE_MS lets the last minute through. */
const PASS_OFFSET_MS = 15_000;
/** The first pass, which catches up whatever is pending from before a restart. */
const BOOT_DELAY_MS = 3000;
/** One replica rolls up at a time; its lease outlives one period between passes. */
export const ROLLUP_LEASE = 'history.rollup';
const LEASE_TTL_MS = 90_000;

/**
 * Rolls raw samples into 1m buckets, 1m into 5m and 5m into 1h, once a minute. Each agent's
 * progress per tier is stored, so a pass resumes where the last one stopped, catches up after
 * downtime, and recomputes (idempotently: buckets are replaced, never added to) whatever a late
 * sample touched.
 */
@Injectable()
export class RollupJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RollupJob.name);
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly repo: HistoryRepository,
    private readonly leases: JobLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(BOOT_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.last;
  }

  /**
   * One pass over every tier and agent; passes queue up, never overlap. Resolves false when
   * another replica holds the rollup lease (it does the work).
   */
  runOnce(now = Date.now()): Promise<boolean> {
    const run = this.last.then(async () => {
      const lease = await this.leases.hold(ROLLUP_LEASE, LEASE_TTL_MS);
      if (!lease) return false;
      for (const spec of ROLLUPS) await this.rollTier(spec, now, lease);
      return true;
    });
    this.last = run.then(
      () => undefined,
      (e: unknown) => {
        this.logger.error(`rollup failed: ${(e as Error).message}`);
      },
    );
    return run;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      // runOnce logs its own failures; the next pass retries.
      void this.runOnce()
        .catch(() => undefined)
        .finally(() => {
          if (this.stopped) return;
          const now = Date.now();
          this.schedule(floorTo(now - PASS_OFFSET_MS, 60_000) + 60_000 + PASS_OFFSET_MS - now);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async rollTier(spec: RollupSpec, now: number, lease: Lease): Promise<void> {
    const progress = await this.repo.rollupStates(spec.tier);
    // A coarser bucket is complete once its source tier has rolled past its end.
    const sourceProgress = spec.source === 'raw' ? null : await this.repo.rollupStates(spec.source);
    for (const [agentId, rolledUntil] of progress) {
      const sourceDone = sourceProgress ? sourceProgress.get(agentId) : now - GRACE_MS;
      if (sourceDone === undefined) continue;
      const limit = floorTo(sourceDone, spec.stepMs);
      let cursor = rolledUntil;
      while (cursor < limit && !this.stopped) {
        // Skip empty stretches (downtime) in one step instead of bucket by bucket.
        const first = await this.repo.firstTimestamp(spec.source, agentId, cursor, limit);
        const start = first === null ? cursor : Math.max(cursor, floorTo(first, spec.stepMs));
        const end = first === null ? limit : Math.min(limit, start + spec.chunkMs);
        // Fencing: a replica whose lease moved on while it worked writes nothing more.
        if (!(await this.leases.stillHeld(lease))) {
          this.logger.warn('rollup lease lost to another replica; stopping this pass');
          return;
        }
        const done = await this.repo.rollup(spec, agentId, cursor, start, end, (source) =>
          buildBuckets(spec, agentId, source),
        );
        // A pass over a thousand agents, one transaction each, would otherwise hold the event
        // loop for seconds on SQLite: let SSE frames and acks out between transactions.
        await nextTurn();
        // Progress moved back under us (a late sample): the next pass starts from there.
        if (!done) break;
        cursor = end;
      }
    }
  }
}

export function buildBuckets(spec: RollupSpec, agentId: string, source: SourceRows): Bucket[] {
  if (source.kind === 'raw') {
    return groupByBucket(source.rows, spec.stepMs).map(([ts, rows]) =>
      bucketFromSamples(agentId, ts, rows),
    );
  }
  return groupByBucket(source.rows, spec.stepMs).map(([ts, rows]) =>
    bucketFromBuckets(agentId, ts, rows),
  );
}
