import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The agent's on-disk sample buffer: every sample is appended here before it is sent, and
 * forgotten once the hub acknowledged storing it. While the hub is unreachable the buffer just
 * grows, so a reconnect back-fills in order with the original timestamps.
 *
 * Records live in append-only segment files `NNNNNNNNNNNNNNNN.seg` named after their first
 * sequence number. A record is `[u32 payload length][u32 CRC-32 of seq+payload][u64 seq][payload]`.
 * Each append is one write(2) straight to the file (no user-space buffering), so a `kill -9` loses
 * nothing already appended; a record torn by a crash or a flipped bit fails its CRC and the file
 * is truncated there when the buffer is opened. When the segments exceed the size cap the oldest
 * segment is dropped and its unacknowledged records are counted as dropped.
 */

const HEADER = 16;
/** A payload beyond this is not a sample: the header is garbage. */
const MAX_RECORD = 16 * 1024 * 1024;
const SEGMENT_RE = /^(\d{16})\.seg$/;

export interface BufferedRecord {
  seq: number;
  payload: Buffer;
}

interface Segment {
  file: string;
  firstSeq: number;
  lastSeq: number;
  size: number;
  /** Byte offset of each record, in order, with its sequence number. */
  records: { seq: number; offset: number; length: number }[];
}

interface Meta {
  /** Everything up to here is stored on the hub. */
  acked: number;
  /** Records dropped because the cap was reached, ever. */
  dropped: number;
  /** The last sequence number handed out (kept so numbers never repeat once segments are gone). */
  lastSeq: number;
}

export interface BufferOptions {
  /** Cap on the segments' total size, bytes. */
  maxBytes: number;
  /** Called once per open with what was truncated, for the log. */
  onTruncate?: (file: string, offset: number, reason: string) => void;
}

export class SampleBuffer {
  private readonly segments: Segment[] = [];
  private meta: Meta = { acked: 0, dropped: 0, lastSeq: 0 };
  private fd: number | null = null;
  private readonly segmentBytes: number;
  private readonly metaFile: string;

  constructor(
    private readonly dir: string,
    private readonly opts: BufferOptions,
  ) {
    // Eight segments per cap: dropping the oldest gives back an eighth of the space at a time.
    this.segmentBytes = Math.max(4096, Math.floor(opts.maxBytes / 8));
    this.metaFile = path.join(dir, 'buffer.json');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.open();
  }

  /** Samples dropped because the cap was reached since the state dir was made. */
  get dropped(): number {
    return this.meta.dropped;
  }

  get acked(): number {
    return this.meta.acked;
  }

  get lastSeq(): number {
    return this.meta.lastSeq;
  }

  /** Records not yet acknowledged by the hub. */
  get pending(): number {
    let n = 0;
    for (const s of this.segments) for (const r of s.records) if (r.seq > this.meta.acked) n++;
    return n;
  }

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Appends one payload under the next sequence number and returns that number. */
  append(payload: Buffer): number {
    const seq = this.meta.lastSeq + 1;
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(payload.length, 0);
    header.writeBigUInt64BE(BigInt(seq), 8);
    header.writeUInt32BE(crc32(payload, crc32(header.subarray(8, 16))) >>> 0, 4);
    let seg = this.segments.at(-1);
    if (!seg || seg.size >= this.segmentBytes) seg = this.newSegment(seq);
    const record = Buffer.concat([header, payload]);
    writeSync(this.fd as number, record, 0, record.length, seg.size);
    seg.records.push({ seq, offset: seg.size, length: payload.length });
    seg.size += record.length;
    seg.lastSeq = seq;
    this.meta.lastSeq = seq;
    this.enforceCap();
    return seq;
  }

  /** Up to `max` unacknowledged records after `afterSeq`, oldest first. */
  read(afterSeq: number, max: number): BufferedRecord[] {
    const out: BufferedRecord[] = [];
    const from = Math.max(afterSeq, this.meta.acked);
    for (const s of this.segments) {
      if (s.lastSeq <= from) continue;
      const fd = openSync(s.file, 'r');
      try {
        for (const r of s.records) {
          if (r.seq <= from) continue;
          const payload = Buffer.alloc(r.length);
          readSync(fd, payload, 0, r.length, r.offset + HEADER);
          out.push({ seq: r.seq, payload });
          if (out.length >= max) return out;
        }
      } finally {
        closeSync(fd);
      }
    }
    return out;
  }

  /** The hub stored everything up to `seq`: forget it. */
  ack(seq: number): void {
    if (seq <= this.meta.acked) return;
    this.meta.acked = seq;
    // A hub that knows a higher number than ours (state dir lost and re-made): continue above it.
    if (seq > this.meta.lastSeq) this.meta.lastSeq = seq;
    this.forget();
    this.saveMeta();
  }

  /** Deletes segments holding only acknowledged records (the one being written stays open). */
  private forget(): void {
    while (this.segments.length > 1 && this.segments[0].lastSeq <= this.meta.acked) {
      unlinkSync((this.segments.shift() as Segment).file);
    }
    const last = this.segments.at(-1);
    if (last && last.lastSeq <= this.meta.acked && last.size >= this.segmentBytes) {
      this.closeFd();
      this.segments.pop();
      unlinkSync(last.file);
    }
  }

  close(): void {
    this.closeFd();
    this.saveMeta();
  }

  private open(): void {
    if (existsSync(this.metaFile)) {
      try {
        this.meta = { ...this.meta, ...(JSON.parse(readFileSync(this.metaFile, 'utf8')) as Meta) };
      } catch {
        // A torn meta file: the segments still say what is there; acked falls back to 0 and the
        // hub skips what it already stored.
      }
    }
    const files = readdirSync(this.dir)
      .filter((f) => SEGMENT_RE.test(f))
      .sort();
    for (const f of files) {
      const seg = this.scan(path.join(this.dir, f));
      if (seg.records.length === 0) {
        unlinkSync(seg.file);
        continue;
      }
      this.segments.push(seg);
      this.meta.lastSeq = Math.max(this.meta.lastSeq, seg.lastSeq);
    }
    const last = this.segments.at(-1);
    if (last) this.fd = openSync(last.file, 'r+');
    this.forget();
  }

  /** Reads a segment's records, truncating it at the first one that does not check out. */
  private scan(file: string): Segment {
    const data = readFileSync(file);
    const first = Number(SEGMENT_RE.exec(path.basename(file))?.[1] ?? 0);
    const seg: Segment = { file, firstSeq: first, lastSeq: first - 1, size: 0, records: [] };
    let off = 0;
    let reason: string | null = null;
    while (off < data.length) {
      if (data.length - off < HEADER) {
        reason = 'torn header';
        break;
      }
      const len = data.readUInt32BE(off);
      const crc = data.readUInt32BE(off + 4);
      const seq = Number(data.readBigUInt64BE(off + 8));
      if (len > MAX_RECORD || off + HEADER + len > data.length) {
        reason = 'torn record';
        break;
      }
      const payload = data.subarray(off + HEADER, off + HEADER + len);
      if (crc32(payload, crc32(data.subarray(off + 8, off + 16))) >>> 0 !== crc) {
        reason = 'CRC mismatch';
        break;
      }
      if (seq <= seg.lastSeq) {
        reason = 'sequence out of order';
        break;
      }
      seg.records.push({ seq, offset: off, length: len });
      seg.lastSeq = seq;
      off += HEADER + len;
    }
    seg.size = off;
    if (reason !== null) {
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, off);
      closeSync(fd);
      this.opts.onTruncate?.(file, off, reason);
    }
    return seg;
  }

  private newSegment(firstSeq: number): Segment {
    this.closeFd();
    const file = path.join(this.dir, `${String(firstSeq).padStart(16, '0')}.seg`);
    this.fd = openSync(file, 'w', 0o600);
    const seg: Segment = { file, firstSeq, lastSeq: firstSeq - 1, size: 0, records: [] };
    this.segments.push(seg);
    // The counter is persisted whenever a segment starts, so it survives every older one going.
    this.saveMeta();
    return seg;
  }

  private enforceCap(): void {
    let total = this.bytes;
    while (total > this.opts.maxBytes && this.segments.length > 1) {
      const s = this.segments.shift() as Segment;
      const unacked = s.records.filter((r) => r.seq > this.meta.acked).length;
      this.meta.dropped += unacked;
      total -= s.size;
      unlinkSync(s.file);
      // Everything in it is gone: never ask the hub to wait for it.
      if (s.lastSeq > this.meta.acked) this.meta.acked = s.lastSeq;
      this.saveMeta();
    }
  }

  private saveMeta(): void {
    const tmp = `${this.metaFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.meta), { mode: 0o600 });
    renameSync(tmp, this.metaFile);
  }

  private closeFd(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
