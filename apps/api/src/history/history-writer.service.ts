import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import { nextTurn } from '../database/serial';
import { METRICS_SAMPLE, type MetricsSampleEvent } from '../metrics/metrics.events';
import { HistoryRepository } from './history.repository';
import { sampleFromSnapshot, type RawSample } from './history-series';

/** A flush happens this long after the first buffered sample, or sooner when the batch is full. */
const FLUSH_AFTER_MS = 1000;
const FLUSH_ROWS = 500;
/**
 * Samples per transaction within a flush. A transaction holds the event loop while it runs
 * (better-sqlite3 is synchronous), so a flush is stored as bounded transactions with a turn of
 * the event loop between them: SSE frames and acks go out meanwhile.
 */
const CHUNK_ROWS = 100;
/** While the database is unreachable, keep at most this many samples, dropping the oldest. */
const MAX_BUFFERED = 50_000;

/**
 * Stores every published sample as a raw history row. Samples are batched: a flush is a few
 * transactions of up to CHUNK_ROWS samples, never one per sample, so a hundred agents at a 1 s
 * interval stay one write a second.
 */
@Injectable()
export class HistoryWriterService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryWriterService.name);
  private buffer: RawSample[] = [];
  /** Callers waiting for the buffered samples to be stored (agent acks), resolved by a flush. */
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** The waiters of the last flush queued and not yet done (stored, or kept after a failure). */
  private pending: (() => void)[] | null = null;
  /** Failed flushes so far: a flush that succeeds after an earlier one failed waits for the retry. */
  private failures = 0;
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

  /** Writes what is buffered; resolves once it and every earlier flush settled (stored or failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    const waiters = this.waiters;
    this.buffer = [];
    this.waiters = [];
    if (batch.length === 0) {
      for (const w of waiters) this.afterPending(w);
      return this.inFlight;
    }
    this.pending = waiters;
    const failures = this.failures;
    this.inFlight = this.inFlight.then(() => this.store(batch, waiters, failures));
    return this.inFlight;
  }

  /**
   * Resolves once every sample recorded so far is stored: an agent's samples are acknowledged
   * (and dropped from its buffer) only then. Never resolves for samples the hub shut down with.
   */
  whenStored(): Promise<void> {
    return new Promise((resolve) => {
      if (this.buffer.length) this.waiters.push(resolve);
      else this.afterPending(resolve);
    });
  }

  /**
   * Calls `w` once the flushes queued so far stored their samples. Not merely when they
   * settled: a failed flush hands its waiters on to the retry, so no ack goes out for samples
   * that are not stored.
   */
  private afterPending(w: () => void): void {
    if (this.pending) this.pending.push(w);
    else w();
  }

  /** Stores one flush chunk by chunk; on a failure keeps what is not stored for the next flush. */
  private async store(
    batch: RawSample[],
    waiters: (() => void)[],
    failuresBefore: number,
  ): Promise<void> {
    let stored = 0;
    const done = () => {
      if (this.pending === waiters) this.pending = null;
    };
    try {
      while (stored < batch.length) {
        const chunk = batch.slice(stored, stored + CHUNK_ROWS);
        await this.repo.insertSamples(chunk);
        stored += chunk.length;
        if (stored < batch.length) await nextTurn();
      }
    } catch (e) {
      const left = batch.slice(stored);
      this.logger.error(`storing ${left.length} samples failed: ${(e as Error).message}`);
      this.failures++;
      done();
      // Keep them for the next flush: a database restart should not punch a hole in history.
      this.buffer = [...left, ...this.buffer].slice(-MAX_BUFFERED);
      this.waiters = [...waiters, ...this.waiters];
      if (!this.timer && !this.closed) {
        this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
        this.timer.unref();
      }
      return;
    }
    done();
    if (this.failures === failuresBefore) {
      for (const w of waiters) w();
      return;
    }
    // An earlier flush failed meanwhile: its samples (older than these) are back in the buffer
    // or in a later flush, and an ack covers everything recorded before it.
    for (const w of waiters) {
      if (this.buffer.length) this.waiters.push(w);
      else this.afterPending(w);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
