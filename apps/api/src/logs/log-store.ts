import type { LogEntry, LogEntryLevel, LogLine, LogSearch, LogSource } from '@tyto/contracts';

/** A line ready to store: its host, its time in epoch ms and the words the index gets. */
export interface StoredLine {
  agentId: string;
  ts: number;
  line: LogLine;
  /** searchText(message): the words both indexes are fed. */
  body: string;
}

export interface LogFilter {
  agentId?: string;
  source?: LogSource;
  sourceName?: string;
  levels?: LogEntryLevel[];
  search?: LogSearch;
  /** Inclusive, epoch ms. */
  from?: number;
  to?: number;
}

/** A remote agent's progress: every log batch up to `seq` is stored. */
export interface LogBatchMark {
  agentId: string;
  seq: number;
}

/** Matches per bar: `bucket` counts bars of the interval from the histogram's start. */
export interface LogHistogramRow {
  bucket: number;
  count: number;
}

export interface LogPage {
  entries: LogEntry[];
  total: number;
  estimated: boolean;
}

// The log tables are not TypeORM entities: their migrations create them and only the two stores
// read and write them, in SQL of their own. log_entries (id, ts in epoch ms, agent_id, source,
// source_name, level, message, fields as JSON text, size) is the same on both; its id is an
// INTEGER rowid alias on SQLite and a BIGSERIAL on PostgreSQL, which one entity cannot declare
// for both (SQLite allows AUTOINCREMENT on INTEGER only). The full-text index is a contentless
// FTS5 table `log_fts` on SQLite (rowid = id), a tsvector column `tsv` with a GIN index on
// PostgreSQL.
// Newest-first scans walk (ts, id), per host or across hosts.

/**
 * The log tables behind one interface, with the database's own full-text index: FTS5 on SQLite,
 * tsvector + GIN on PostgreSQL. Only the two implementations speak SQL.
 */
export interface LogStore {
  /**
   * Stores a batch in one transaction; returns the stored entries (with their ids), in order.
   * `marks` (remote agents' batch sequence numbers) are saved in the same transaction, moving
   * each agent's mark forward only, so lines and progress are stored together or not at all.
   */
  insert(lines: StoredLine[], marks?: LogBatchMark[]): Promise<LogEntry[]>;
  /** Newest first; `total` exact up to LOG_TOTAL_EXACT_LIMIT, estimated beyond. */
  query(filter: LogFilter, limit: number, offset: number): Promise<LogPage>;
  /** Every host that has lines. */
  agents(): Promise<string[]>;
  /** Deletes up to `batch` of a host's lines older than `before`; returns how many. */
  deleteOlderThan(agentId: string, before: number, batch: number): Promise<number>;
  /** Bytes of a host's stored lines (the `size` column summed). */
  bytesOf(agentId: string): Promise<number>;
  /**
   * Deletes a host's oldest lines, at most `batch`, stopping once they hold `bytesToFree`;
   * returns how many and the bytes they held.
   */
  deleteOldest(
    agentId: string,
    batch: number,
    bytesToFree: number,
  ): Promise<{ deleted: number; bytes: number }>;
  /** Distinct source names, per source, for the explorer's pickers. */
  sourceNames(agentId?: string): Promise<{ source: LogSource; source_name: string }[]>;
  /** The highest log batch sequence number stored for an agent, 0 when none. */
  lastBatch(agentId: string): Promise<number>;
  /** Forgets an agent's mark (a deleted agent: a re-enrolled one starts at 1 again). */
  forgetBatches(agentId: string): Promise<void>;
  /**
   * Matches of the filters (search included) per bar of `intervalMs` from `start`, counted in
   * the database (GROUP BY); bars without matches are left out. `filter.from`/`to` bound it.
   */
  histogram(filter: LogFilter, start: number, intervalMs: number): Promise<LogHistogramRow[]>;
  /** The time of the oldest match of the filters, null when nothing matches. */
  oldestMatch(filter: LogFilter): Promise<number | null>;
}

export const LOG_STORE = Symbol('LOG_STORE');

/** The plain-column filters as SQL with `?` placeholders over `e.`. */
export function filterSql(f: LogFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.agentId !== undefined) {
    where.push('e.agent_id = ?');
    params.push(f.agentId);
  }
  if (f.source !== undefined) {
    where.push('e.source = ?');
    params.push(f.source);
  }
  if (f.sourceName !== undefined) {
    where.push('e.source_name = ?');
    params.push(f.sourceName);
  }
  if (f.levels && f.levels.length > 0) {
    where.push(`e.level IN (${f.levels.map(() => '?').join(', ')})`);
    params.push(...f.levels);
  }
  if (f.from !== undefined) {
    where.push('e.ts >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('e.ts <= ?');
    params.push(f.to);
  }
  return { where, params };
}

export type Row = Record<string, unknown>;

/** A row of log_entries as the API's entry. */
export function rowToEntry(r: Row): LogEntry {
  let fields: Record<string, string> = {};
  try {
    fields = JSON.parse(String(r['fields'])) as Record<string, string>;
  } catch {
    // A row is only ever written with JSON fields; an unreadable one shows none.
  }
  return {
    id: String(r['id']),
    timestamp: new Date(Number(r['ts'])).toISOString(),
    agent_id: String(r['agent_id']),
    source: r['source'] as LogSource,
    source_name: String(r['source_name']),
    level: r['level'] as LogEntryLevel,
    message: String(r['message']),
    fields,
  };
}

export const ENTRY_COLUMNS =
  'e.id, e.ts, e.agent_id, e.source, e.source_name, e.level, e.message, e.fields';

/**
 * The entry a stored line becomes, handed to the live tail. Fields named one by one: a spread
 * of the line costs ten times as much, and this runs once per stored line.
 */
export function storedEntry(s: StoredLine, id: number): LogEntry {
  const l = s.line;
  return {
    id: String(id),
    timestamp: new Date(s.ts).toISOString(),
    agent_id: s.agentId,
    source: l.source,
    source_name: l.source_name,
    level: l.level,
    message: l.message,
    fields: l.fields,
  };
}

export function lineSize(line: LogLine, fieldsJson: string): number {
  // The fixed part stands for the other columns and the index entries.
  return Buffer.byteLength(line.message) + Buffer.byteLength(fieldsJson) + 64;
}

/** The leading rows whose sizes first reach `bytes` (all of them for Infinity). */
export function upTo<T extends { size: number }>(rows: T[], bytes: number): T[] {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) {
    sum += rows[i].size;
    if (sum >= bytes) return rows.slice(0, i + 1);
  }
  return rows;
}
