import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import { METRICS_SAMPLE, type MetricsSampleEvent } from '../metrics/metrics.events';
import { HistoryRepository } from './history.repository';
import { sampleFromSnapshot, type RawSample } from './history-series';

/** A flush happens this long after the first buffered sample, or sooner when the batch is full. */
const FLUSH_AFTER_MS = 1000;
const FLUSH_ROWS = 500;
/** While the database is unreachable, keep at most this many samples, dropping the oldest. */
const MAX_BUFFERED = 50_000;

/**
 * Stores every published sample as a raw history row. Samples are batched: one transaction per
 * flush, never one per sample, so a hundred agents at a 1 s interval stay one write a second.
 */
@Injectable()
export class HistoryWriterService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryWriterService.name);
  private buffer: RawSample[] = [];
  /** Callers waiting for the buffered samples to be stored (agent acks), resolved by a flush. */
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** Set once the final flush has started: the database closes right after it. */
  private closed = false;

  constructor(private readonly repo: HistoryRepository) {}

  // Only the replica holding the agent's channel stores its samples.
  @OnHubEvent(METRICS_SAMPLE, { localOnly: true })
  record(snapshot: MetricsSampleEvent): void {
    if (this.closed) return;
    const sample = sampleFromSnapshot(snapshot);
    if (!sample) {
      this.logger.debug(`sample without a usable timestamp from '${String(snapshot.agent_id)}'`);
      return;
    }
    this.buffer.push(sample);
    if (this.buffer.length >= FLUSH_ROWS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Writes what is buffered; resolves once it and every earlier flush are stored (or failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    const waiters = this.waiters;
    this.buffer = [];
    this.waiters = [];
    if (batch.length === 0) {
      for (const w of waiters) void this.inFlight.then(w);
      return this.inFlight;
    }
    this.inFlight = this.inFlight.then(() =>
      this.repo.insertSamples(batch).then(
        () => {
          for (const w of waiters) w();
        },
        (e: unknown) => {
          this.logger.error(`storing ${batch.length} samples failed: ${(e as Error).message}`);
          // Keep them for the next flush: a database restart should not punch a hole in history.
          this.buffer = [...batch, ...this.buffer].slice(-MAX_BUFFERED);
          this.waiters = [...waiters, ...this.waiters];
          if (!this.timer && !this.closed) {
            this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
            this.timer.unref();
          }
        },
      ),
    );
    return this.inFlight;
  }

  /**
   * Resolves once every sample recorded so far is stored: an agent's samples are acknowledged
   * (and dropped from its buffer) only then. Never resolves for samples the hub shut down with.
   */
  whenStored(): Promise<void> {
    if (this.buffer.length === 0) return this.inFlight;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
