import {
  LOG_TOTAL_EXACT_LIMIT,
  matchesLogSearch,
  type LogEntry,
  type LogSearch,
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
  storedEntry,
  type LogBatchMark,
  type LogFilter,
  type LogHistogramRow,
  type LogPage,
  type LogStore,
  type Row,
  type StoredLine,
  upTo,
} from './log-store';

/** Past the exact limit, counts without a search stop here (and are flagged estimated). */
const ESTIMATE_CAP = 100_000;

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
        out.push(storedEntry(s, id));
      }
      this.saveMarks(marks);
      return out;
    });
  }

  async query(f: LogFilter, limit: number, offset: number): Promise<LogPage> {
    const { where, params } = filterSql(f);
    const search = f.search;
    const positive = search?.terms.length ? ftsExpression(search.terms, 'AND') : null;
    const negative = search?.excluded.length ? ftsExpression(search.excluded, 'OR') : null;
    // With a word to look for, exclusions go into the FTS5 expression (`a NOT b`); an
    // exclusion alone is a NOT IN over the index's matches.
    const match = positive && negative ? `(${positive}) NOT (${negative})` : positive;
    if (negative && !positive) {
      where.push('e.id NOT IN (SELECT rowid FROM log_fts WHERE log_fts MATCH ?)');
      params.push(negative);
    }
    const cond = where.length ? `AND ${where.join(' AND ')}` : '';
    if (!match || !search) {
      const fromRows = `FROM log_entries e WHERE 1 = 1 ${cond}`;
      const count = async (cap: number): Promise<number> => {
        const rows: Row[] = await this.ds.query(
          `SELECT count(*) AS n FROM (SELECT 1 ${fromRows} LIMIT ${cap})`,
          params,
        );
        return Number(rows[0]['n']);
      };
      let total = await count(LOG_TOTAL_EXACT_LIMIT + 1);
      const estimated = total > LOG_TOTAL_EXACT_LIMIT;
      // Unfiltered, the id span is the count (ids are dense); filtered, count on to a cap.
      if (estimated) total = params.length === 0 ? await this.idSpan() : await count(ESTIMATE_CAP);
      const rows: Row[] = await this.ds.query(
        `SELECT ${ENTRY_COLUMNS} ${fromRows} ORDER BY e.ts DESC, e.id DESC LIMIT ? OFFSET ?`,
        [...params, limit, offset],
      );
      return { entries: rows.map(rowToEntry), total, estimated };
    }
    const { total, estimated } = await this.countMatches(match, cond, params);
    const rows = await this.newestMatches(match, search, cond, params, limit, offset);
    return { entries: rows.map(rowToEntry), total, estimated };
  }

  /**
   * The oldest matches, at most one past the exact limit, in one walk of the index (ascending
   * rowid is FTS5's cheap direction; a rowid range or a descending count is not). Past the
   * limit, the total is extrapolated from the id span those matches cover: ids are dense, as
   * retention deletes from the bottom.
   */
  private async countMatches(
    match: string,
    cond: string,
    params: unknown[],
  ): Promise<{ total: number; estimated: boolean }> {
    const cap = LOG_TOTAL_EXACT_LIMIT + 1;
    // A search and nothing else is counted in the index alone, without a row lookup per match.
    const sql =
      params.length === 0
        ? `SELECT count(*) AS n, max(id) AS hi FROM (SELECT rowid AS id FROM log_fts WHERE log_fts MATCH ? ORDER BY rowid LIMIT ${cap})`
        : `SELECT count(*) AS n, max(id) AS hi FROM (SELECT f.rowid AS id FROM log_fts f CROSS JOIN log_entries e ON e.id = f.rowid WHERE f.body MATCH ? ${cond} ORDER BY f.rowid LIMIT ${cap})`;
    const counted: Row[] = await this.ds.query(sql, [match, ...params]);
    const n = Number(counted[0]['n']);
    if (n <= LOG_TOTAL_EXACT_LIMIT) return { total: n, estimated: false };
    const lo = await this.lowestId();
    const covered = Math.max(1, Number(counted[0]['hi']) - lo + 1);
    return {
      total: Math.max(cap, Math.round((cap * (await this.idSpan())) / covered)),
      estimated: true,
    };
  }

  private async lowestId(): Promise<number> {
    const rows: Row[] = await this.ds.query('SELECT min(id) AS lo FROM log_entries');
    return Number(rows[0]['lo']);
  }

  /** How many ids the stored lines span, read from the ends of the primary key. */
  private async idSpan(): Promise<number> {
    // Two single-aggregate subqueries: SQLite answers each from an end of the primary key, but
    // min and max in one SELECT would scan the table.
    const span: Row[] = await this.ds.query(
      'SELECT (SELECT min(id) FROM log_entries) AS lo, (SELECT max(id) FROM log_entries) AS hi',
    );
    return Number(span[0]['hi']) - Number(span[0]['lo']) + 1;
  }

  /**
   * The newest matches in time order. Candidates are the index's matches with the highest ids
   * (FTS5 reads those from the end of each doclist, cheaply), growing until enough pass the
   * filters. Ids follow arrival, not time: a line that arrived earlier but carries a later
   * timestamp (a host whose clock runs ahead) can sit below the candidates' lowest id and still
   * rank among the newest. The (ts, id) index names every row newer than the page's last
   * candidate below that id; those few are matched against the parsed search (the same words
   * the index was fed) and merged in, so the page is exact.
   */
  private async newestMatches(
    match: string,
    search: LogSearch,
    cond: string,
    params: unknown[],
    limit: number,
    offset: number,
  ): Promise<Row[]> {
    const want = offset + limit;
    type Cand = { id: number; ts: number };
    const byTime = (a: Cand, b: Cand) => b.ts - a.ts || b.id - a.id;
    let passing: Cand[] = [];
    let lowest = -Infinity;
    for (let k = Math.max(2 * want, 500); ; k *= 4) {
      const rows: Row[] = await this.ds.query(
        `SELECT f.rowid AS id, e.ts AS ts, (1 = 1 ${cond}) AS pass FROM (SELECT rowid FROM log_fts WHERE log_fts MATCH ? ORDER BY rowid DESC LIMIT ${k}) f CROSS JOIN log_entries e ON e.id = f.rowid`,
        [...params, match],
      );
      passing = rows
        .filter((r) => Number(r['pass']) === 1)
        .map((r) => ({ id: Number(r['id']), ts: Number(r['ts']) }));
      if (rows.length < k) {
        lowest = -Infinity; // every match is a candidate
        break;
      }
      lowest = Math.min(...rows.map((r) => Number(r['id'])));
      if (passing.length >= want) break;
    }
    passing.sort(byTime);
    const out = new Map<number, Row | null>(passing.slice(0, want).map((c) => [c.id, null]));
    if (lowest > -Infinity && passing.length >= want) {
      const last = passing[want - 1];
      const late: Row[] = await this.ds.query(
        // `+e.id`: the range on id covers nearly the whole table; the time index must lead.
        `SELECT ${ENTRY_COLUMNS} FROM log_entries e WHERE e.ts >= ? AND (e.ts > ? OR e.id > ?) AND +e.id < ? ${cond}`,
        [last.ts, last.ts, last.id, lowest, ...params],
      );
      const extra = late.filter((r) => matchesLogSearch(search, String(r['message'])));
      if (extra.length > 0) {
        const merged = [
          ...passing.slice(0, want),
          ...extra.map((r) => ({ id: Number(r['id']), ts: Number(r['ts']) })),
        ].sort(byTime);
        const rowsById = new Map(extra.map((r) => [Number(r['id']), r]));
        out.clear();
        for (const c of merged.slice(0, want)) out.set(c.id, rowsById.get(c.id) ?? null);
      }
    }
    const ordered = [...out.entries()].slice(offset, want);
    const missing = ordered.filter(([, r]) => r === null).map(([id]) => id);
    const fetched: Row[] = missing.length
      ? await this.ds.query(
          `SELECT ${ENTRY_COLUMNS} FROM log_entries e WHERE e.id IN (${missing.map(() => '?').join(', ')})`,
          missing,
        )
      : [];
    const byId = new Map(fetched.map((r) => [Number(r['id']), r]));
    return ordered.flatMap(([id, r]): Row[] => {
      const row = r ?? byId.get(id);
      return row ? [row] : [];
    });
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
