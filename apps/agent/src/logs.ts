import { LOG_FRAME_MAX_BYTES, type LogLine } from '@tyto/contracts';
import { startLogReaders, type LogReader, type LogReadersConfig } from '@tyto/logs';
import path from 'node:path';
import type { AgentOptions } from './args';
import { SampleBuffer } from './buffer';

/** One buffered record (a batch of lines as a JSON array) stays under this. */
const RECORD_MAX_BYTES = 1024 * 1024;
/** Records read from disk per look while a frame is being packed. */
const READ_STEP = 8;
/** Batches per frame, at most (the hub's schema takes 100). */
const FRAME_MAX_BATCHES = 100;
/** Stop handing frames to the socket while this much is still unsent. */
const MAX_IN_FLIGHT_BYTES = 1024 * 1024;
/** The wrapper around the batches: `{"type":"logs","batches":[…]}` and a batch's `{"seq":…}`. */
const FRAME_OVERHEAD = 64;

/** What the shipper needs of the hub channel (a `ws` WebSocket is one). */
export interface LogChannel {
  readonly bufferedAmount: number;
  send(text: string, cb: (err?: Error) => void): void;
}

export interface LogShipperOptions {
  /** The agent's state directory: the log buffer and the readers' positions live in it. */
  stateDir: string;
  opts: Pick<
    AgentOptions,
    'logFiles' | 'logJournal' | 'logDocker' | 'logDockerSocket' | 'logBufferMax'
  >;
  log: (line: string) => void;
  /** Tests point the readers elsewhere (journalctl, poll interval). */
  readers?: Partial<LogReadersConfig>;
}

/**
 * The agent's log pipeline: the same readers as the hub's own host (libs/logs) hand their
 * batches to an on-disk buffer (a SampleBuffer of its own, `log-buffer/` in the state dir), and
 * the channel drains it in order as `logs` frames. A reader saves its position (log-readers.json)
 * only after its batch is in the buffer, and the buffer forgets a batch only once the hub's
 * `logs_ack` says it is stored, so neither a hub outage nor an agent restart loses or repeats
 * lines; at the cap the oldest batches are dropped and counted.
 */
export class LogShipper {
  readonly buffer: SampleBuffer;
  private readers: LogReader[] = [];
  private channel: LogChannel | null = null;
  /** Highest batch sequence number handed to the current channel. */
  private sentSeq = 0;
  private pumping = false;

  constructor(private readonly o: LogShipperOptions) {
    this.buffer = new SampleBuffer(path.join(o.stateDir, 'log-buffer'), {
      maxBytes: o.opts.logBufferMax,
      onTruncate: (file, offset, reason) =>
        o.log(`log buffer: ${reason} in ${file}: truncated at ${offset}`),
    });
  }

  start(): void {
    const { opts } = this.o;
    const { readers } = startLogReaders({
      sink: (lines) => this.take(lines),
      report: (message) => this.o.log(`logs: ${message}`),
      files: opts.logFiles,
      journal: opts.logJournal,
      docker: opts.logDocker,
      dockerSocket: opts.logDockerSocket,
      stateFile: path.join(this.o.stateDir, 'log-readers.json'),
      ...this.o.readers,
    });
    this.readers = readers;
  }

  /** Closes the readers (their positions saved), then the buffer. */
  async stop(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.close()));
    this.readers = [];
    this.channel = null;
    this.buffer.close();
  }

  /**
   * `logs_ack` on a channel: the hub stored every batch up to `seq`. The first one on a channel
   * (the hub's answer to the hello) is also its word that it takes logs: back-filling starts
   * then, so a hub that predates logs never gets a frame it does not know.
   */
  ack(seq: number, channel: LogChannel | null): void {
    this.buffer.ack(seq);
    if (channel && channel !== this.channel) {
      this.channel = channel;
      this.pumping = false;
      this.sentSeq = this.buffer.acked;
    }
    // The hub may know more than this channel sent (an agent restart): never resend below it.
    if (seq > this.sentSeq) this.sentSeq = seq;
    this.pump();
  }

  /** The channel closed: nothing is sent until the next one's first `logs_ack`. */
  detach(): void {
    this.channel = null;
    this.pumping = false;
  }

  /** Batches not yet stored on the hub, and dropped at the cap ever (for the hello). */
  get pending(): number {
    return this.buffer.pending;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  /** Appends a reader's batch to the buffer (split so no record passes the size cap). */
  private take(lines: LogLine[]): void {
    let parts: string[] = [];
    let bytes = 2;
    const flush = () => {
      if (parts.length === 0) return;
      this.buffer.append(Buffer.from(`[${parts.join(',')}]`));
      parts = [];
      bytes = 2;
    };
    for (const line of lines) {
      const json = JSON.stringify(line);
      const size = Buffer.byteLength(json) + 1;
      if (parts.length > 0 && bytes + size > RECORD_MAX_BYTES) flush();
      parts.push(json);
      bytes += size;
    }
    flush();
    this.pump();
  }

  /** Hands unsent batches to the channel in order, one size-capped frame at a time. */
  private pump(): void {
    const ch = this.channel;
    if (!ch || this.pumping || ch.bufferedAmount > MAX_IN_FLIGHT_BYTES) return;
    const parts: string[] = [];
    let bytes = FRAME_OVERHEAD;
    let last = this.sentSeq;
    let full = false;
    while (!full && parts.length < FRAME_MAX_BATCHES) {
      const records = this.buffer.read(last, READ_STEP);
      if (records.length === 0) break;
      for (const r of records) {
        const size = r.payload.length + FRAME_OVERHEAD;
        // The first batch always goes (a record is under the frame cap by construction).
        if (
          parts.length > 0 &&
          (bytes + size > LOG_FRAME_MAX_BYTES || parts.length >= FRAME_MAX_BATCHES)
        ) {
          full = true;
          break;
        }
        // The payloads are the lines' JSON already: spliced in, not parsed back.
        parts.push(`{"seq":${r.seq},"lines":${r.payload.toString('utf8')}}`);
        bytes += size;
        last = r.seq;
      }
    }
    if (parts.length === 0) return;
    this.sentSeq = last;
    this.pumping = true;
    ch.send(`{"type":"logs","batches":[${parts.join(',')}]}`, (err) => {
      if (this.channel !== ch) return;
      this.pumping = false;
      if (!err) this.pump();
    });
  }
}
