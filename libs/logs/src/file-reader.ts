import type { LogLine } from '@tyto/contracts';
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { expandGlob, isGlob } from './glob';
import { LineSplitter, type RawLine } from './line';
import { parseTextLine } from './parse';
import type { LogStateStore } from './state';
import { BATCH_LINES, reportOnce, type LogReader, type LogReport, type LogSink } from './types';

export interface FileReaderOptions {
  /** Absolute paths and globs (`/var/log/nginx/*.log`). */
  patterns: string[];
  sink: LogSink;
  state: LogStateStore;
  report?: LogReport;
  /** How often followed files are checked for new bytes, rotation and truncation. */
  pollMs?: number;
  /** How often the globs are expanded again to find new files. */
  scanMs?: number;
}

/** What is remembered per path across restarts. */
interface SavedFile {
  dev: number;
  ino: number;
  /** Bytes before the first line not yet handed to the sink. */
  offset: number;
}

interface Followed {
  path: string;
  fd: number;
  dev: number;
  ino: number;
  /** Bytes read so far (some may sit in the splitter as an unfinished line). */
  pos: number;
  splitter: LineSplitter;
}

const READ_CHUNK = 1024 * 1024;
/** Per file per poll: a file that grew by gigabytes is read over several polls, not in one go. */
const MAX_READ_PER_POLL = 16 * READ_CHUNK;
const STATE_PREFIX = 'file:';

/**
 * Follows files like `tail -F`: new bytes are read on every poll, a rename + create rotation is
 * noticed by the inode changing (the old file is read to its end first), a copytruncate or a
 * truncation by the size shrinking (read again from the start). Offsets are kept in the state
 * store, so after a restart each file continues where it stopped. A file already there at the
 * first start is followed from its end; one that appears later is read from its start.
 */
export class FileReader implements LogReader {
  private readonly followed = new Map<string, Followed>();
  private readonly report: LogReport;
  private readonly pollMs: number;
  private readonly scanMs: number;
  private timer: NodeJS.Timeout | null = null;
  private lastScan = 0;
  private firstScan = true;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private buffer: { path: string; line: LogLine }[] = [];

  constructor(private readonly opts: FileReaderOptions) {
    this.report = reportOnce(opts.report ?? (() => undefined));
    this.pollMs = opts.pollMs ?? 250;
    this.scanMs = opts.scanMs ?? 2000;
  }

  start(): void {
    this.schedule(0);
  }

  /** One round: rescan globs when due, read every followed file, hand lines to the sink. */
  poll(): Promise<void> {
    // A failed round must not stop the next ones.
    this.running = this.running.catch(() => undefined).then(() => this.pollOnce());
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
    for (const f of this.followed.values()) closeSync(f.fd);
    this.followed.clear();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.poll()
        .catch((e: unknown) => this.report(`file reader: ${(e as Error).message}`))
        .finally(() => this.schedule(this.pollMs));
    }, ms);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastScan >= this.scanMs || this.firstScan) {
      this.scan();
      this.lastScan = now;
    }
    let more = true;
    // A file with more than one poll's worth waiting is read again at once, not a poll later.
    for (let round = 0; more && round < 64 && !this.closed; round++) {
      more = false;
      for (const f of [...this.followed.values()]) more = this.readFile(f) || more;
      await this.flush();
    }
  }

  private scan(): void {
    const wanted = new Set<string>();
    for (const pattern of this.opts.patterns) {
      const paths = expandGlob(pattern);
      if (!isGlob(pattern) && !exists(paths[0])) {
        this.report(`log file ${pattern} does not exist (yet): it is followed once it appears`);
      }
      for (const p of paths) wanted.add(p);
    }
    for (const p of wanted) {
      if (!this.followed.has(p)) this.open(p, this.firstScan);
    }
    this.firstScan = false;
  }

  /** Starts following a path: where it left off, else its end (first scan) or start. */
  private open(path: string, atEnd: boolean): void {
    let fd: number;
    let st: Stats;
    try {
      fd = openSync(path, 'r');
      st = fstatSync(fd);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.report(`cannot read log file ${path}: ${code ?? 'error'}`);
      return;
    }
    if (!st.isFile()) {
      closeSync(fd);
      return;
    }
    const saved = this.opts.state.get<SavedFile>(STATE_PREFIX + path);
    let pos: number;
    if (saved && saved.ino === st.ino && saved.dev === st.dev) {
      // Same file as before: go on, unless it was truncated meanwhile.
      pos = saved.offset <= st.size ? saved.offset : 0;
    } else if (saved) {
      // Replaced while we were away (rotated): this one is new to us.
      pos = 0;
    } else {
      pos = atEnd ? st.size : 0;
    }
    const f: Followed = { path, fd, dev: st.dev, ino: st.ino, pos, splitter: new LineSplitter() };
    this.followed.set(path, f);
    this.remember(f);
  }

  /** Reads what is new in one file; true when it holds more than this poll read. */
  private readFile(f: Followed): boolean {
    let st: Stats | null;
    try {
      st = statSync(f.path);
    } catch {
      st = null;
    }
    if (!st || st.ino !== f.ino || st.dev !== f.dev) {
      // Renamed away (rotation) or deleted: finish the old file, then take up the new one.
      while (this.readBytes(f, fstatSync(f.fd).size)) {
        /* read to the end */
      }
      const tail = f.splitter.end();
      if (tail) this.push(f, tail);
      closeSync(f.fd);
      this.followed.delete(f.path);
      if (st) this.open(f.path, false);
      else this.opts.state.delete(STATE_PREFIX + f.path);
      return st !== null;
    }
    if (st.size < f.pos) {
      // Truncated in place (copytruncate, `> file`): what was half a line is gone with it.
      f.pos = 0;
      f.splitter = new LineSplitter();
    }
    return this.readBytes(f, st.size);
  }

  /** Reads up to MAX_READ_PER_POLL towards `size`; true when bytes remain after that. */
  private readBytes(f: Followed, size: number): boolean {
    let budget = MAX_READ_PER_POLL;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    while (f.pos < size && budget > 0) {
      const n = readSync(f.fd, buf, 0, Math.min(READ_CHUNK, size - f.pos), f.pos);
      if (n <= 0) break;
      f.pos += n;
      budget -= n;
      // Copy: the lines outlive this read buffer.
      for (const raw of f.splitter.push(Buffer.from(buf.subarray(0, n)))) this.push(f, raw);
    }
    return f.pos < size;
  }

  private push(f: Followed, raw: RawLine): void {
    this.buffer.push({ path: f.path, line: parseTextLine(raw, 'file', f.path, new Date()) });
  }

  /** Hands buffered lines over in bounded batches, then remembers the new offsets. */
  private async flush(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, BATCH_LINES);
      await this.opts.sink(batch.map((b) => b.line));
    }
    for (const f of this.followed.values()) this.remember(f);
    this.opts.state.save();
  }

  private remember(f: Followed): void {
    const offset = f.pos - f.splitter.pending;
    const key = STATE_PREFIX + f.path;
    const prev = this.opts.state.get<SavedFile>(key);
    if (prev && prev.offset === offset && prev.ino === f.ino && prev.dev === f.dev) return;
    this.opts.state.set(key, { dev: f.dev, ino: f.ino, offset } satisfies SavedFile);
  }
}

function exists(p: string | undefined): boolean {
  if (!p) return false;
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
