import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import { searchText, type LogLine } from '@tyto/contracts';
import { LOG_STORE, type LogBatchMark, type LogStore, type StoredLine } from './log-store';
import { LOG_BATCH_EVENT, LOGS_STORED, type LogBatchEvent } from './logs.events';

/** A flush happens this long after the first buffered line, or sooner when the batch is full. */
const FLUSH_AFTER_MS = 500;
const FLUSH_LINES = 5000;
/** While the database is unreachable, keep at most this many lines, dropping the oldest. */
const MAX_BUFFERED = 200_000;

// PostgreSQL refuses NUL in text; a remote batch may carry one the readers would have escaped.
const noNul = (s: string) => (s.includes('\0') ? s.replace(/\0/g, '\\x00') : s);

/** A NUL anywhere, or a field value that is not a string (clean makes it one). */
function needsCleaning(line: LogLine): boolean {
  if (line.message.includes('\0') || line.source_name.includes('\0')) return true;
  return Object.entries(line.fields).some(
    ([k, v]: [string, unknown]) => k.includes('\0') || typeof v !== 'string' || v.includes('\0'),
  );
}

function clean(line: LogLine): LogLine {
  // Nearly every line holds no NUL: keep it as it is rather than copy it.
  if (!needsCleaning(line)) return line;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(line.fields)) fields[noNul(k)] = noNul(String(v));
  return { ...line, source_name: noNul(line.source_name), message: noNul(line.message), fields };
}

/**
 * Stores every log batch from the bus (the local readers and each agent connection). Lines
 * are buffered and written one transaction per flush, never one per line; each stored flush is
 * published with its ids for the live tail.
 */
@Injectable()
export class LogIngestService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LogIngestService.name);
  private buffer: StoredLine[] = [];
  /** Remote agents' highest batch sequence number among the buffered lines. */
  private marks = new Map<string, number>();
  /** Callers waiting for the buffered lines to be stored (agent acks), resolved by a flush. */
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    @Inject(LOG_STORE) private readonly store: LogStore,
    private readonly bus: HubBus,
  ) {}

  @OnHubEvent(LOG_BATCH_EVENT, { localOnly: true })
  take(batch: LogBatchEvent): void {
    if (this.closed) return;
    for (const raw of batch.lines) {
      const line = clean(raw);
      const ts = Date.parse(line.timestamp);
      this.buffer.push({
        agentId: batch.agent_id,
        ts: Number.isFinite(ts) ? ts : Date.now(),
        line,
        body: searchText(line.message),
      });
    }
    if (batch.seq !== undefined && batch.seq > (this.marks.get(batch.agent_id) ?? 0)) {
      this.marks.set(batch.agent_id, batch.seq);
    }
    if (this.buffer.length >= FLUSH_LINES) void this.flush();
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
    const marks = this.marks;
    const waiters = this.waiters;
    this.buffer = [];
    this.marks = new Map();
    this.waiters = [];
    if (batch.length === 0 && marks.size === 0) {
      for (const w of waiters) void this.inFlight.then(w);
      return this.inFlight;
    }
    const markList: LogBatchMark[] = [...marks].map(([agentId, seq]) => ({ agentId, seq }));
    this.inFlight = this.inFlight.then(async () => {
      try {
        const stored = await this.store.insert(batch, markList);
        for (const w of waiters) w();
        if (stored.length) this.bus.publish(LOGS_STORED, stored);
      } catch (e) {
        this.logger.error(`storing ${batch.length} log lines failed: ${(e as Error).message}`);
        // Keep them for the next flush: a database restart should not punch a hole in the logs.
        this.buffer = [...batch, ...this.buffer].slice(-MAX_BUFFERED);
        for (const [agent, seq] of marks) {
          if (seq > (this.marks.get(agent) ?? 0)) this.marks.set(agent, seq);
        }
        this.waiters = [...waiters, ...this.waiters];
        if (!this.timer && !this.closed) {
          this.timer = setTimeout(() => void this.flush(), 5 * FLUSH_AFTER_MS);
          this.timer.unref();
        }
      }
    });
    return this.inFlight;
  }

  /**
   * Resolves once every line taken so far is stored: an agent's log batches are acknowledged
   * (and dropped from its buffer) only then. Never resolves for lines the hub shut down with.
   */
  whenStored(): Promise<void> {
    if (this.buffer.length === 0 && this.marks.size === 0) return this.inFlight;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
