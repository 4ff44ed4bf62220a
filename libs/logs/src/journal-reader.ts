import type { LogLine } from '@tyto/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { levelFromPriority } from './level';
import { cutMessage, decodeLine, LineSplitter } from './line';
import type { LogStateStore } from './state';
import { BATCH_LINES, reportOnce, type LogReader, type LogReport, type LogSink } from './types';

export interface JournalReaderOptions {
  sink: LogSink;
  state: LogStateStore;
  report?: LogReport;
  /** The journalctl binary; a test points this at a program speaking the same output. */
  journalctl?: string;
  /** Extra arguments, e.g. `--directory=/host/var/log/journal`. */
  args?: string[];
  /** Lines are handed over at least this often while they arrive. */
  flushMs?: number;
  /** Wait before starting journalctl again after it exited. */
  restartMs?: number;
}

const CURSOR_KEY = 'journal:cursor';

/** Journal fields kept in `fields`, under these names. */
const FIELD_NAMES: Record<string, string> = {
  _PID: 'pid',
  _UID: 'uid',
  _GID: 'gid',
  _COMM: 'comm',
  _EXE: 'exe',
  _CMDLINE: 'cmdline',
  _HOSTNAME: 'hostname',
  _TRANSPORT: 'transport',
  _BOOT_ID: 'boot_id',
  _SYSTEMD_UNIT: 'unit',
  _SYSTEMD_USER_UNIT: 'user_unit',
  SYSLOG_IDENTIFIER: 'syslog_identifier',
  SYSLOG_FACILITY: 'syslog_facility',
  CODE_FILE: 'code_file',
  CODE_LINE: 'code_line',
  CODE_FUNC: 'code_func',
  CONTAINER_NAME: 'container_name',
  ERRNO: 'errno',
};

/**
 * journalctl's JSON gives a field as a string, as an array of byte values when it is not
 * printable UTF-8, or as an array of those when the field repeats.
 */
function journalValue(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) {
    return decodeLine(Buffer.from(v as number[]));
  }
  if (Array.isArray(v) && v.length > 0) return journalValue(v[0]);
  return null;
}

/** One `journalctl --output=json` entry as a line; null when it is not one. */
export function journalEntryToLine(entry: Record<string, unknown>): LogLine | null {
  const message = journalValue(entry['MESSAGE']);
  if (message === null) return null;
  const micros = Number(journalValue(entry['__REALTIME_TIMESTAMP']));
  const timestamp = Number.isFinite(micros)
    ? new Date(Math.floor(micros / 1000)).toISOString()
    : new Date().toISOString();
  const priority = journalValue(entry['PRIORITY']);
  const fields: Record<string, string> = {};
  for (const [key, name] of Object.entries(FIELD_NAMES)) {
    const v = journalValue(entry[key]);
    if (v !== null) fields[name] = v;
  }
  const cut = cutMessage(message);
  if (cut.truncatedFrom !== null) fields['truncated'] = String(cut.truncatedFrom);
  const unit =
    journalValue(entry['_SYSTEMD_UNIT']) ??
    journalValue(entry['_SYSTEMD_USER_UNIT']) ??
    journalValue(entry['SYSLOG_IDENTIFIER']) ??
    journalValue(entry['_COMM']) ??
    (journalValue(entry['_TRANSPORT']) === 'kernel' ? 'kernel' : 'journal');
  return {
    timestamp,
    source: 'journal',
    source_name: unit,
    // An entry without PRIORITY is logged at info (LOG_INFO is the default of sd_journal_print).
    level: priority === null ? 'info' : levelFromPriority(Number(priority)),
    message: cut.message,
    fields,
  };
}

/**
 * Follows the journal through `journalctl --follow --output=json`, from the saved cursor (so a
 * restart neither loses nor repeats entries) or, the first time, from now. The cursor is saved
 * after the sink took the batch. journalctl exiting (journal rotated away, binary gone) is
 * reported once and it is started again a little later.
 */
export class JournalReader implements LogReader {
  private child: ChildProcess | null = null;
  private readonly report: LogReport;
  private pending: { line: LogLine | null; cursor: string | null }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: JournalReaderOptions) {
    this.report = reportOnce(opts.report ?? (() => undefined));
  }

  start(): void {
    if (this.closed) return;
    const cursor = this.opts.state.get<string>(CURSOR_KEY);
    const args = [
      '--follow',
      '--output=json',
      '--no-pager',
      '--quiet',
      ...(cursor ? [`--after-cursor=${cursor}`] : ['--lines=0']),
      ...(this.opts.args ?? []),
    ];
    const child = spawn(this.opts.journalctl ?? 'journalctl', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const splitter = new LineSplitter(16 * 1024 * 1024);
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const raw of splitter.push(chunk)) this.take(raw.bytes);
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (e) => {
      this.report(`journal: cannot run ${this.opts.journalctl ?? 'journalctl'}: ${e.message}`);
    });
    child.on('close', (code) => {
      if (this.child === child) this.child = null;
      if (this.closed) return;
      if (code !== null) {
        this.report(`journal: journalctl exited with ${code}: ${stderr.trim().split('\n')[0]}`);
      }
      this.flushSoon(0);
      this.restartTimer = setTimeout(() => this.start(), this.opts.restartMs ?? 5000);
      this.restartTimer.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private take(bytes: Buffer): void {
    let entry: unknown;
    try {
      entry = JSON.parse(bytes.toString('utf8'));
    } catch {
      return;
    }
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return;
    const rec = entry as Record<string, unknown>;
    const line = journalEntryToLine(rec);
    const cursor = typeof rec['__CURSOR'] === 'string' ? rec['__CURSOR'] : null;
    // An entry without a message still moves the cursor past it.
    if (line || cursor) this.pending.push({ line, cursor });
    if (this.pending.length >= BATCH_LINES) this.flushSoon(0);
    else this.flushSoon(this.opts.flushMs ?? 200);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  private flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, BATCH_LINES);
        const lines = batch.flatMap((b) => (b.line ? [b.line] : []));
        try {
          if (lines.length) await this.opts.sink(lines);
        } catch (e) {
          this.report(`journal: storing lines failed: ${(e as Error).message}`);
          return;
        }
        const cursor = [...batch].reverse().find((b) => b.cursor !== null)?.cursor;
        if (cursor) {
          this.opts.state.set(CURSOR_KEY, cursor);
          this.opts.state.save();
        }
      }
    });
    return this.chain;
  }
}
