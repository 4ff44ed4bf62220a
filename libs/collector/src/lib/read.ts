import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * Reads small kernel files into one reused buffer. procfs and sysfs files report size 0, so
 * `readFileSync` has to grow a fresh buffer per call; open/read/close into a buffer we keep costs
 * about half as much and allocates nothing, which matters when a sample reads ~500 `stat` files.
 */
export class FileReader {
  private buf: Buffer;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** The shared buffer; valid until the next read. */
  get buffer(): Buffer {
    return this.buf;
  }

  /**
   * Reads a whole file into the shared buffer and returns its length, or -1 when it cannot be
   * read (missing, permission, a process that exited between readdir and open).
   */
  read(path: string): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return -1;
    }
    try {
      let len = 0;
      for (;;) {
        if (len === this.buf.length) this.grow();
        const n = readSync(fd, this.buf, len, this.buf.length - len, null);
        if (n === 0) return len;
        len += n;
      }
    } catch {
      return -1;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads a seq_file table (/proc/net/tcp). The kernel fills at most one page per read() and
   * stops early only at the end, so a read that leaves more than a record's room in the page
   * is the last one: this skips the final empty read, which for the TCP tables costs another
   * walk of the whole hash.
   */
  readSeq(path: string, pageSize: number, maxRecord = 512): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return -1;
    }
    try {
      let len = 0;
      for (;;) {
        while (this.buf.length - len < pageSize) this.grow();
        const n = readSync(fd, this.buf, len, this.buf.length - len, null);
        len += n;
        if (n === 0 || n < pageSize - maxRecord) return len;
      }
    } catch {
      return -1;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * One read() call only: enough for single-record seq files such as /proc/[pid]/stat, which the
   * kernel returns whole in the first read. Saves the extra syscall that detects EOF.
   */
  readOnce(path: string): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return -1;
    }
    try {
      return readSync(fd, this.buf, 0, this.buf.length, null);
    } catch {
      return -1;
    } finally {
      closeSync(fd);
    }
  }

  /** The file as latin1 text (kernel files are ASCII), or null when it cannot be read. */
  text(path: string): string | null {
    const len = this.read(path);
    return len < 0 ? null : this.buf.toString('latin1', 0, len);
  }

  /** A file holding one integer (sysfs style), or null. */
  int(path: string): number | null {
    const len = this.read(path);
    if (len <= 0) return null;
    const value = parseIntAt(this.buf, 0, len);
    return Number.isNaN(value) ? null : value;
  }

  /** A one-line file with its trailing newline removed, or null. */
  line(path: string): string | null {
    const len = this.read(path);
    if (len < 0) return null;
    let end = len;
    while (end > 0 && (this.buf[end - 1] === 0x0a || this.buf[end - 1] === 0x20)) end--;
    return this.buf.toString('latin1', 0, end);
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(next);
    this.buf = next;
  }
}

/** Reads a file with plain `readFileSync`, null when missing; for one-off reads at start. */
export function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/**
 * Parses a (possibly negative) decimal integer starting at `start`, skipping leading blanks and
 * stopping at the first non-digit. NaN when there is no digit. Works on bytes so the hot path
 * never makes a string.
 */
export function parseIntAt(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i] - 0x30;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
    digits++;
  }
  if (digits === 0) return NaN;
  return negative ? -value : value;
}

/** A per-second rate from two counter readings; a counter that wrapped or reset gives 0. */
export function rate(current: number, previous: number | undefined, seconds: number): number {
  if (previous === undefined || seconds <= 0 || current < previous) return 0;
  return (current - previous) / seconds;
}

/** Rounds to two decimals; keeps the JSON short without losing anything a chart shows. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Clamps a percentage into 0–100 (counters sampled a few µs apart can overshoot slightly). */
export function clampPercent(value: number): number {
  if (!(value > 0)) return 0;
  return value > 100 ? 100 : value;
}

/**
 * A forward-only tokenizer over a byte range, for the whitespace-separated tables procfs prints.
 * One instance is reused per file so tokenizing allocates nothing.
 */
export class ByteCursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;

  reset(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Skips blanks (not newlines). */
  skipBlanks(): void {
    while (this.pos < this.end && (this.buf[this.pos] === 0x20 || this.buf[this.pos] === 0x09)) {
      this.pos++;
    }
  }

  /** The next unsigned integer on this line, NaN when the next token is not one. */
  number(): number {
    this.skipBlanks();
    let value = 0;
    let digits = 0;
    while (this.pos < this.end) {
      const c = this.buf[this.pos] - 0x30;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
      digits++;
      this.pos++;
    }
    return digits === 0 ? NaN : value;
  }

  /** Skips the next token (and the blanks before it). */
  skipToken(): void {
    this.skipBlanks();
    while (this.pos < this.end) {
      const c = this.buf[this.pos];
      if (c === 0x20 || c === 0x09 || c === 0x0a) break;
      this.pos++;
    }
  }

  /** The next token as a string (allocates; use for names only). */
  token(): string {
    this.skipBlanks();
    const start = this.pos;
    this.skipToken();
    return this.buf.toString('latin1', start, this.pos);
  }

  /** Moves past the end of the current line. */
  nextLine(): void {
    const nl = this.buf.indexOf(0x0a, this.pos);
    this.pos = nl < 0 || nl >= this.end ? this.end : nl + 1;
  }

  /** Whether the bytes at the cursor equal the ASCII string `s`. */
  startsWith(s: string): boolean {
    if (this.pos + s.length > this.end) return false;
    for (let i = 0; i < s.length; i++) {
      if (this.buf[this.pos + i] !== s.charCodeAt(i)) return false;
    }
    return true;
  }
}

/**
 * Orders names with numbers the way people do (hwmon2 before hwmon10). Hand-written because
 * `localeCompare` pulls ICU collation data in: ~3 MB of RSS for sorting a few sysfs names.
 */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Plain code-unit order, for paths (no ICU, see naturalCompare). */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
