import type { LogEntryLevel } from '@tyto/contracts';

/** syslog / journal PRIORITY (0 emerg … 7 debug) to a level. */
export function levelFromPriority(priority: number): LogEntryLevel {
  if (!Number.isInteger(priority) || priority < 0 || priority > 7) return 'unknown';
  if (priority <= 2) return 'critical';
  if (priority === 3) return 'error';
  if (priority === 4) return 'warning';
  if (priority <= 6) return 'info';
  return 'debug';
}

const NAMES: Record<string, LogEntryLevel> = {
  emerg: 'critical',
  emergency: 'critical',
  alert: 'critical',
  crit: 'critical',
  critical: 'critical',
  fatal: 'critical',
  panic: 'critical',
  err: 'error',
  error: 'error',
  eror: 'error',
  warn: 'warning',
  warning: 'warning',
  notice: 'info',
  info: 'info',
  information: 'info',
  informational: 'info',
  debug: 'debug',
  dbug: 'debug',
  trace: 'debug',
};

/**
 * A JSON line's `level` / `severity`: a name (`ERROR`, `warn`), pino/bunyan numbers (10 trace …
 * 60 fatal) or a syslog priority 0–7.
 */
export function levelFromValue(value: unknown): LogEntryLevel | null {
  if (typeof value === 'number') {
    if (value >= 0 && value <= 7 && Number.isInteger(value)) return levelFromPriority(value);
    if (value >= 60) return 'critical';
    if (value >= 50) return 'error';
    if (value >= 40) return 'warning';
    if (value >= 30) return 'info';
    if (value >= 10) return 'debug';
    return null;
  }
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (/^\d+$/.test(v)) return levelFromValue(Number(v));
  return NAMES[v] ?? null;
}

// `<3>` syslog PRI at the start (kernel and sd-daemon style; PRI may carry a facility, mod 8).
const SYSLOG_PRI = /^<(\d{1,3})>/;
// A level word standing on its own near the start: `ERROR`, `[warn]`, `level=info`, `E1201`
// is not one. Only the first 200 characters are looked at: a later "error" is usually content.
const LEVEL_WORD =
  /(?:^|[\s[(|:=])(emerg|alert|crit|critical|fatal|panic|err|error|warn|warning|notice|info|debug|trace)(?=$|[\s\]):|,])/i;

/** The level a plain text line shows: a syslog `<N>` prefix, else a level word, else unknown. */
export function sniffLevel(line: string): LogEntryLevel {
  const pri = SYSLOG_PRI.exec(line);
  if (pri) return levelFromPriority(Number(pri[1]) % 8);
  const m = LEVEL_WORD.exec(line.slice(0, 200));
  return m ? (NAMES[m[1].toLowerCase()] ?? 'unknown') : 'unknown';
}
