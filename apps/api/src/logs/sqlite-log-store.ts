import {
  LOG_TOTAL_EXACT_LIMIT,
  type LogEntry,
  type LogSearchTerm,
  type LogSource,
} from '@tyto/contracts';
import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { serialTransaction } from '../database/serial';
import {
  ENTRY_COLUMNS,
  filterSql,
  lineSize,
  rowToEntry,
  type LogBatchMark,
  type LogFilter,
  type LogHistogramRow,
  type LogPage,
  type LogStore,
  type Row,
  type StoredLine,
  upTo,
} from './log-store';

/** Past the exact limit, counts stop here (and are flagged estimated). */
const ESTIMATE_CAP = 100_000;
/** A search's count past the exact limit is extrapolated from this many newest ids. */
const ESTIMATE_WINDOW = 100_000;

/**
 * An FTS5 expression of terms: each a quoted string of words, `*` after it for a prefix. The
 * words are runs of letters and digits (parseLogSearch), so nothing in them is FTS5 syntax.
 */
function ftsExpression(terms: LogSearchTerm[], join: 'AND' | 'OR'): string {
  return terms.map((t) => `"${t.words.join(' ')}"${t.prefix ? '*' : ''}`).join(` ${join} `);
}

/** SQLite: log_entries plus the contentless FTS5 table log_fts (rowid = id). */
export class SqliteLogStore implements LogStore {
  private insertEntry: Statement | null = null;
  private insertFts: Statement | null = null;

  constructor(private readonly ds: DataSource) {}

  private get db(): Database {
    return (this.ds.driver as unknown as { databaseConnection: Database }).databaseConnection;
  }

  insert(lines: StoredLine[], marks: LogBatchMark[] = []): Promise<LogEntry[]> {
    if (lines.length === 0 && marks.length === 0) return Promise.resolve([]);
    // Prepared statements on the driver's own connection, inside TypeORM's transaction on that
    // same connection: one transaction per batch without a query-builder round per row.
    return serialTransaction(this.ds, async () => {
      this.insertEntry ??= this.db.prepare(
        'INSERT INTO log_entries (ts, agent_id, source, source_name, level, message, fields, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.insertFts ??= this.db.prepare('INSERT INTO log_fts (rowid, body) VALUES (?, ?)');
      const out: LogEntry[] = [];
      for (const s of lines) {
        const fields = JSON.stringify(s.line.fields);
        const l = s.line;
        const r = this.insertEntry.run(
          s.ts,
          s.agentId,
          l.source,
          l.source_name,
          l.level,
          l.message,
          fields,
          lineSize(l, fields),
        );
        const id = Number(r.lastInsertRowid);
        if (s.body) this.insertFts.run(id, s.body);
        out.push({
          ...l,
          id: String(id),
          agent_id: s.agentId,
          timestamp: new Date(s.ts).toISOString(),
        });
      }
      this.saveMarks(marks);
      return out;
    });
  }

  async query(f: LogFilter, limit: number, offset: number): Promise<LogPage> {
    const { where, params } = filterSql(f);
    const positive = f.search?.terms.length ? ftsExpression(f.search.terms, 'AND') : null;
    const negative = f.search?.excluded.length ? ftsExpression(f.search.excluded, 'OR') : null;
    if (negative) {
      where.push('e.id NOT IN (SELECT rowid FROM log_fts WHERE log_fts MATCH ?)');
      params.push(negative);
    }
    const cond = where.length ? `AND ${where.join(' AND ')}` : '';
    // Driven by the index's matches (CROSS JOIN fixes the order), or by the newest rows.
    const fromMatches = `FROM log_fts f CROSS JOIN log_entries e ON e.id = f.rowid WHERE f.body MATCH ? ${cond}`;
    const fromRows = `FROM log_entries e WHERE 1 = 1 ${cond}`;
    const count = async (cap: number): Promise<number> => {
      // A search and nothing else is counted in the index alone, without a row lookup per match.
      const sql = !positive
        ? `SELECT count(*) AS n FROM (SELECT 1 ${fromRows} LIMIT ${cap})`
        : params.length === 0
          ? `SELECT count(*) AS n FROM (SELECT rowid FROM log_fts WHERE log_fts MATCH ? LIMIT ${cap})`
          : `SELECT count(*) AS n FROM (SELECT 1 ${fromMatches} LIMIT ${cap})`;
      const rows: Row[] = await this.ds.query(sql, positive ? [positive, ...params] : params);
      return Number(rows[0]['n']);
    };
    let total = await count(LOG_TOTAL_EXACT_LIMIT + 1);
    let estimated = false;
    if (total > LOG_TOTAL_EXACT_LIMIT) {
      estimated = true;
      total = positive
        ? await this.estimateMatches(positive, fromMatches, params)
        : await count(ESTIMATE_CAP);
    }
    const page = 'ORDER BY e.ts DESC, e.id DESC LIMIT ? OFFSET ?';
    let rows: Row[];
    if (!positive) {
      rows = await this.ds.query(`SELECT ${ENTRY_COLUMNS} ${fromRows} ${page}`, [
        ...params,
        limit,
        offset,
      ]);
    } else if (total <= LOG_TOTAL_EXACT_LIMIT) {
      // Few matches: take them all from the index and sort them.
      rows = await this.ds.query(`SELECT ${ENTRY_COLUMNS} ${fromMatches} ${page}`, [
        positive,
        ...params,
        limit,
        offset,
      ]);
    } else {
      rows = await this.newestMatches(positive, cond, params, limit, offset);
    }
    return { entries: rows.map(rowToEntry), total, estimated };
  }

  /**
   * Many matches: walk the newest rows by time in growing chunks and ask the index, once per
   * chunk, which ids in the chunk's id range match, until a page is found. One FTS5 query per
   * row (a correlated EXISTS) would set the query up again for every row; sorting every match
   * (the few-matches plan) would read them all.
   */
  private async newestMatches(
    positive: string,
    cond: string,
    params: unknown[],
    limit: number,
    offset: number,
  ): Promise<Row[]> {
    const want = offset + limit;
    const picked: number[] = [];
    let after: { ts: number; id: number } | null = null;
    for (let chunk = 2000; picked.length < want; chunk = Math.min(chunk * 4, 200_000)) {
      const seek = after ? 'AND (e.ts < ? OR (e.ts = ? AND e.id < ?))' : '';
      const rows: Row[] = await this.ds.query(
        `SELECT e.id, e.ts FROM log_entries e WHERE 1 = 1 ${cond} ${seek} ORDER BY e.ts DESC, e.id DESC LIMIT ${chunk}`,
        after ? [...params, after.ts, after.ts, after.id] : params,
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => Number(r['id']));
      const matched: Row[] = await this.ds.query(
        'SELECT rowid AS id FROM log_fts WHERE log_fts MATCH ? AND rowid >= ? AND rowid <= ?',
        [positive, Math.min(...ids), Math.max(...ids)],
      );
      const hit = new Set(matched.map((r) => Number(r['id'])));
      for (const id of ids) if (hit.has(id)) picked.push(id);
      const last = rows[rows.length - 1];
      after = { ts: Number(last['ts']), id: Number(last['id']) };
      if (rows.length < chunk) break;
    }
    const page = picked.slice(offset, want);
    if (page.length === 0) return [];
    const rows: Row[] = await this.ds.query(
      `SELECT ${ENTRY_COLUMNS} FROM log_entries e WHERE e.id IN (${page.map(() => '?').join(', ')})`,
      page,
    );
    const byId = new Map(rows.map((r) => [Number(r['id']), r]));
    return page.flatMap((id): Row[] => {
      const r = byId.get(id);
      return r ? [r] : [];
    });
  }

  /**
   * Past the exact limit: the index's match rate among the newest ids, over every id, times the
   * share of the newest index matches that pass the other filters.
   */
  private async estimateMatches(
    positive: string,
    fromMatches: string,
    params: unknown[],
  ): Promise<number> {
    // The share of matches among the newest ids, over every id (ids are dense: retention
    // deletes from the bottom). Two single-aggregate subqueries: SQLite answers each from the
    // end of the primary key, but min and max in one SELECT would scan the table.
    const span: Row[] = await this.ds.query(
      'SELECT (SELECT min(id) FROM log_entries) AS lo, (SELECT max(id) FROM log_entries) AS hi',
    );
    const lo = Number(span[0]['lo']);
    const hi = Number(span[0]['hi']);
    const window = Math.min(hi - lo + 1, ESTIMATE_WINDOW);
    const recent: Row[] = await this.ds.query(
      'SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH ? AND rowid > ?',
      [positive, hi - window],
    );
    const indexMatches = Math.max(
      LOG_TOTAL_EXACT_LIMIT + 1,
      Math.round((Number(recent[0]['n']) * (hi - lo + 1)) / Math.max(1, window)),
    );
    if (params.length === 0) return indexMatches;
    // The id of the 10,001st newest match that passes the filters, and how many index matches
    // reach back to it.
    const nth: Row[] = await this.ds.query(
      `SELECT f.rowid AS id ${fromMatches} ORDER BY f.rowid DESC LIMIT 1 OFFSET ${LOG_TOTAL_EXACT_LIMIT}`,
      [positive, ...params],
    );
    if (nth.length === 0) return LOG_TOTAL_EXACT_LIMIT + 1;
    const spanRows: Row[] = await this.ds.query(
      'SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH ? AND rowid >= ?',
      [positive, Number(nth[0]['id'])],
    );
    const share = (LOG_TOTAL_EXACT_LIMIT + 1) / Math.max(1, Number(spanRows[0]['n']));
    return Math.max(LOG_TOTAL_EXACT_LIMIT + 1, Math.round(indexMatches * share));
  }

  async agents(): Promise<string[]> {
    const rows: Row[] = await this.ds.query(
      'SELECT DISTINCT agent_id FROM log_entries ORDER BY agent_id',
    );
    return rows.map((r) => String(r['agent_id']));
  }

  async deleteOlderThan(agentId: string, before: number, batch: number): Promise<number> {
    return this.deleteWhere(
      'SELECT id, size FROM log_entries WHERE agent_id = ? AND ts < ? ORDER BY ts, id LIMIT ?',
      [agentId, before, batch],
    ).then((r) => r.deleted);
  }

  async bytesOf(agentId: string): Promise<number> {
    const rows: Row[] = await this.ds.query(
      'SELECT COALESCE(SUM(size), 0) AS n FROM log_entries WHERE agent_id = ?',
      [agentId],
    );
    return Number(rows[0]['n']);
  }

  deleteOldest(
    agentId: string,
    batch: number,
    bytesToFree: number,
  ): Promise<{ deleted: number; bytes: number }> {
    return this.deleteWhere(
      'SELECT id, size FROM log_entries WHERE agent_id = ? ORDER BY ts, id LIMIT ?',
      [agentId, batch],
      bytesToFree,
    );
  }

  async sourceNames(agentId?: string): Promise<{ source: LogSource; source_name: string }[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT DISTINCT source, source_name FROM log_entries ${agentId ? 'WHERE agent_id = ?' : ''} ORDER BY source, source_name LIMIT 1000`,
      agentId ? [agentId] : [],
    );
    return rows.map((r) => ({
      source: r['source'] as LogSource,
      source_name: String(r['source_name']),
    }));
  }

  /** Deletes the rows a select names, from the table and the index, in one transaction. */
  private deleteWhere(
    select: string,
    params: unknown[],
    bytesToFree = Infinity,
  ): Promise<{ deleted: number; bytes: number }> {
    return serialTransaction(this.ds, async () => {
      const rows = upTo(
        this.db.prepare(select).all(...params) as { id: number; size: number }[],
        bytesToFree,
      );
      if (rows.length === 0) return { deleted: 0, bytes: 0 };
      const delEntry = this.db.prepare('DELETE FROM log_entries WHERE id = ?');
      const delFts = this.db.prepare('DELETE FROM log_fts WHERE rowid = ?');
      let bytes = 0;
      for (const r of rows) {
        delEntry.run(r.id);
        delFts.run(r.id);
        bytes += r.size;
      }
      return { deleted: rows.length, bytes };
    });
  }

  // ---- remote agents' batch marks and the histogram ----

  /** Inside insert's transaction: each agent's mark moves forward only. */
  private saveMarks(marks: LogBatchMark[]): void {
    if (marks.length === 0) return;
    const upsert = this.db.prepare(
      `INSERT INTO log_ingest (agent_id, last_seq, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET last_seq = MAX(log_ingest.last_seq, excluded.last_seq), updated_at = excluded.updated_at`,
    );
    const now = Date.now();
    for (const m of marks) upsert.run(m.agentId, m.seq, now);
  }

  async lastBatch(agentId: string): Promise<number> {
    const rows: Row[] = await this.ds.query('SELECT last_seq FROM log_ingest WHERE agent_id = ?', [
      agentId,
    ]);
    return rows.length ? Number(rows[0]['last_seq']) : 0;
  }

  async forgetBatches(agentId: string): Promise<void> {
    await this.ds.query('DELETE FROM log_ingest WHERE agent_id = ?', [agentId]);
  }

  async histogram(f: LogFilter, start: number, intervalMs: number): Promise<LogHistogramRow[]> {
    const m = this.matches(f);
    const rows: Row[] = await this.ds.query(
      `SELECT CAST((e.ts - ?) / ? AS INTEGER) AS b, count(*) AS n ${m.sql} GROUP BY b ORDER BY b`,
      [start, intervalMs, ...m.params],
    );
    return rows.map((r) => ({ bucket: Number(r['b']), count: Number(r['n']) }));
  }

  async oldestMatch(f: LogFilter): Promise<number | null> {
    const m = this.matches(f);
    const rows: Row[] = await this.ds.query(`SELECT min(e.ts) AS t ${m.sql}`, m.params);
    const t = rows[0]?.['t'];
    return t === null || t === undefined ? null : Number(t);
  }

  /** FROM … WHERE … of the rows a filter matches, search included, as query() reads them. */
  private matches(f: LogFilter): { sql: string; params: unknown[] } {
    const { where, params } = filterSql(f);
    const positive = f.search?.terms.length ? ftsExpression(f.search.terms, 'AND') : null;
    const negative = f.search?.excluded.length ? ftsExpression(f.search.excluded, 'OR') : null;
    if (negative) {
      where.push('e.id NOT IN (SELECT rowid FROM log_fts WHERE log_fts MATCH ?)');
      params.push(negative);
    }
    const cond = where.length ? `AND ${where.join(' AND ')}` : '';
    return positive
      ? {
          sql: `FROM log_fts f CROSS JOIN log_entries e ON e.id = f.rowid WHERE f.body MATCH ? ${cond}`,
          params: [positive, ...params],
        }
      : { sql: `FROM log_entries e WHERE 1 = 1 ${cond}`, params };
  }
}
