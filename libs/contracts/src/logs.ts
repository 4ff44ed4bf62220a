import * as z from 'zod';
import { isoTimeString, safeString } from './strings';

/** Where a line was read: the systemd journal, a followed file, or a Docker container. */
export const LOG_SOURCES = ['journal', 'file', 'docker'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

/**
 * Severity of a line, most severe first (Grafana's names). Journal priorities 0–2 are
 * `critical`, 3 `error`, 4 `warning`, 5–6 `info`, 7 `debug`; a line whose level could not be
 * told is `unknown`.
 */
export const LOG_ENTRY_LEVELS = [
  'critical',
  'error',
  'warning',
  'info',
  'debug',
  'unknown',
] as const;
export type LogEntryLevel = (typeof LOG_ENTRY_LEVELS)[number];

/** A line as a reader produces it, before the hub stores it. */
export const LogLineSchema = z.object({
  /** ISO 8601 UTC: when the source says it was written, else when it was read. */
  timestamp: z.string(),
  source: z.enum(LOG_SOURCES),
  /** Journal unit, file path or container name. */
  source_name: z.string(),
  level: z.enum(LOG_ENTRY_LEVELS),
  /**
   * The text, cut at 64 KiB (then `fields.truncated` holds the original size in bytes). Bytes
   * that are not UTF-8 are kept as `\xNN`.
   */
  message: z.string(),
  /** Structured extras: journal fields (`pid`, `comm`, …), JSON-line keys, container id. */
  fields: z.record(z.string(), z.string()),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** A stored line. */
export const LogEntrySchema = LogLineSchema.extend({
  id: z.string(),
  agent_id: z.string(),
}).meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof LogEntrySchema>;

/** Bus event: lines read on one host. The agent id comes from the reader's host, never a body. */
export const LOG_BATCH_EVENT = 'log.batch';
export interface LogBatchEvent {
  agent_id: string;
  lines: LogLine[];
  /**
   * A remote agent's batch sequence number (its log buffer's): stored with the lines in one
   * transaction as the agent's progress, so a back-filled batch is never stored twice. Absent
   * for the hub's own readers.
   */
  seq?: number;
}

/** `total` is counted exactly up to this many matches, and estimated beyond. */
export const LOG_TOTAL_EXACT_LIMIT = 10_000;

// ----- search syntax -------------------------------------------------------------------------

/**
 * A parsed `q`: every `terms` entry must match and no `excluded` one may. Words are lower case
 * runs of letters and digits, the only thing either database's index is asked about, so no user
 * text ever reaches SQL or FTS syntax.
 */
export interface LogSearch {
  terms: LogSearchTerm[];
  excluded: LogSearchTerm[];
}
/** A word (`prefix`: `word*`) or a phrase of adjacent words (from quotes or `a.b` punctuation). */
export interface LogSearchTerm {
  words: string[];
  prefix: boolean;
}

export class LogSearchSyntaxError extends Error {}

// CSI (`ESC [ … m`, cursor moves), OSC (`ESC ] … BEL` or `ESC \`) and two-byte escapes: what
// coloured terminal output leaves in a log line.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/** A log message without its terminal escape sequences (colours, cursor moves, titles). */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

/**
 * The words of a text as both indexes see them: lower case runs of letters and digits, terminal
 * escapes left out (`ESC[31mfailed` holds the word `failed`, not `31mfailed`).
 */
export function searchWords(text: string): string[] {
  return (
    stripAnsi(text)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The text the full-text index is fed: the words, space-separated. */
export function searchText(text: string): string {
  // searchWords joined, without the array: a quarter less time per line, on the ingest path.
  return stripAnsi(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const MAX_SEARCH_TERMS = 32;

/**
 * Parses the search syntax: words (all must match), `"quoted phrases"`, `-word` / `-"phrase"`
 * exclusion, `word*` prefix. Anything else is punctuation between words. Throws
 * LogSearchSyntaxError for an unclosed quote, a search with nothing to look for, or too many terms.
 */
export function parseLogSearch(q: string): LogSearch {
  const out: LogSearch = { terms: [], excluded: [] };
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i])) {
      i++;
      continue;
    }
    let negate = false;
    if (q[i] === '-') {
      negate = true;
      i++;
    }
    let raw: string;
    let quoted = false;
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1);
      if (end < 0) throw new LogSearchSyntaxError('unclosed quote');
      raw = q.slice(i + 1, end);
      i = end + 1;
      quoted = true;
    } else {
      let j = i;
      while (j < q.length && !/\s/.test(q[j]) && q[j] !== '"') j++;
      raw = q.slice(i, j);
      i = j;
    }
    const words = searchWords(raw);
    if (words.length === 0) continue;
    const prefix = !quoted && /[\p{L}\p{N}]\*$/u.test(raw);
    (negate ? out.excluded : out.terms).push({ words, prefix });
  }
  if (out.terms.length + out.excluded.length === 0) {
    throw new LogSearchSyntaxError('nothing to search for: give at least one word');
  }
  if (out.terms.length + out.excluded.length > MAX_SEARCH_TERMS) {
    throw new LogSearchSyntaxError(`at most ${MAX_SEARCH_TERMS} terms`);
  }
  return out;
}

function termMatches(words: readonly string[], t: LogSearchTerm): boolean {
  const n = t.words.length;
  for (let start = 0; start + n <= words.length; start++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const last = k === n - 1;
      ok =
        last && t.prefix
          ? words[start + k].startsWith(t.words[k])
          : words[start + k] === t.words[k];
    }
    if (ok) return true;
  }
  return false;
}

/** True when a message matches a parsed search, as the database index would decide it. */
export function matchesLogSearch(search: LogSearch, message: string): boolean {
  const words = searchWords(message);
  return (
    search.terms.every((t) => termMatches(words, t)) &&
    !search.excluded.some((t) => termMatches(words, t))
  );
}

// ----- queries -----------------------------------------------------------------------------

const levelList = safeString()
  .max(200)
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .superRefine((levels, ctx) => {
    if (levels.length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one level' });
    for (const l of levels) {
      if (!(LOG_ENTRY_LEVELS as readonly string[]).includes(l)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown level '${l}': use ${LOG_ENTRY_LEVELS.join(', ')}`,
        });
      }
    }
  })
  .transform((levels) => [...new Set(levels)] as LogEntryLevel[]);

const searchQuery = safeString()
  .max(512)
  .superRefine((q, ctx) => {
    try {
      parseLogSearch(q);
    } catch (e) {
      if (!(e instanceof LogSearchSyntaxError)) throw e;
      ctx.addIssue({ code: 'custom', message: `search syntax: ${e.message}` });
    }
  });

const filterFields = {
  agent_id: safeString().min(1).max(128).optional(),
  source: z.enum(LOG_SOURCES).optional(),
  /** Exact journal unit, file path or container name. */
  source_name: safeString().min(1).max(1024).optional(),
  /** Comma-separated levels. */
  level: levelList.optional(),
  /** Full-text search (see parseLogSearch for the syntax). */
  q: searchQuery.optional(),
};

/** Live tail: the same filters as the query, from the moment of connection. */
export const LogStreamQuerySchema = z.strictObject({
  ...filterFields,
  // Accepted so a client can reuse one filter object; a live tail has no range or page.
  from: isoTimeString().optional(),
  to: isoTimeString().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type LogStreamQuery = z.infer<typeof LogStreamQuerySchema>;

export const LogQuerySchema = z
  .strictObject({
    ...filterFields,
    /** Inclusive bounds, ISO 8601. */
    from: isoTimeString().optional(),
    to: isoTimeString().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: "'from' must not be after 'to'",
    path: ['from'],
  });
export type LogQuery = z.infer<typeof LogQuerySchema>;

/** Newest first. */
export const LogListResponseSchema = z.object({
  entries: z.array(LogEntrySchema),
  /** Matches of the filters: exact up to 10,000, an estimate beyond (`total_estimated`). */
  total: z.number().int(),
  total_estimated: z.boolean(),
});
export type LogListResponse = z.infer<typeof LogListResponseSchema>;

/** SSE `event: dropped`: lines this client missed because it was not reading fast enough. */
export interface LogStreamDropped {
  dropped: number;
}

// ----- histogram -----------------------------------------------------------------------------

/** Bucket widths a histogram may use, so bars start on round times. */
export const LOG_HISTOGRAM_INTERVALS: Record<string, number> = {
  '1s': 1000,
  '5s': 5000,
  '10s': 10_000,
  '30s': 30_000,
  '1m': 60_000,
  '5m': 300_000,
  '10m': 600_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '3h': 10_800_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '7d': 604_800_000,
};
/** Bars a histogram answers with at most. */
export const LOG_HISTOGRAM_MAX_BUCKETS = 500;

/**
 * The query's filters plus the bar width: `buckets` asks for about that many bars (the width is
 * the smallest round interval giving at most that many), `interval` names the width itself.
 */
export const LogHistogramQuerySchema = z
  .strictObject({
    ...filterFields,
    /** Inclusive bounds, ISO 8601; `to` defaults to now, `from` to the oldest match. */
    from: isoTimeString().optional(),
    to: isoTimeString().optional(),
    buckets: z.coerce.number().int().min(1).max(LOG_HISTOGRAM_MAX_BUCKETS).default(60),
    interval: z.enum(Object.keys(LOG_HISTOGRAM_INTERVALS) as [string, ...string[]]).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: "'from' must not be after 'to'",
    path: ['from'],
  });
export type LogHistogramQuery = z.infer<typeof LogHistogramQuerySchema>;

/** One bar: the matches with `timestamp` ≤ time < `timestamp` + `interval_ms`. */
export const LogHistogramBucketSchema = z.object({
  timestamp: z.string(),
  count: z.number().int(),
});

/** Oldest bucket first, empty ones included. */
export const LogHistogramResponseSchema = z.object({
  /** The range the bars cover (the first bar's start, the last bar's end). */
  from: z.string(),
  to: z.string(),
  interval_ms: z.number().int(),
  buckets: z.array(LogHistogramBucketSchema),
  /** Every match in the range, counted exactly. */
  total: z.number().int(),
});
export type LogHistogramBucket = z.infer<typeof LogHistogramBucketSchema>;
export type LogHistogramResponse = z.infer<typeof LogHistogramResponseSchema>;

/**
 * The bar width for a range: `interval` when given (widened if it would make more than
 * LOG_HISTOGRAM_MAX_BUCKETS bars), else the smallest round one giving at most `buckets` bars.
 */
export function logHistogramInterval(spanMs: number, buckets: number, interval?: string): number {
  const widths = Object.values(LOG_HISTOGRAM_INTERVALS);
  const fits = (w: number, n: number) => Math.ceil(Math.max(1, spanMs) / w) <= n;
  const given = interval ? LOG_HISTOGRAM_INTERVALS[interval] : undefined;
  if (given !== undefined && fits(given, LOG_HISTOGRAM_MAX_BUCKETS)) return given;
  const n = given !== undefined ? LOG_HISTOGRAM_MAX_BUCKETS : buckets;
  const round = widths.find((w) => fits(w, n));
  // Longer than 7 days × n: whole days.
  return round ?? Math.ceil(spanMs / n / 86_400_000) * 86_400_000;
}
