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
  type LogFilter,
  type LogPage,
  type LogStore,
  type Row,
  type StoredLine,
  upTo,
} from './log-store';

/** Past the exact limit, matches are counted up to this many and the count is flagged estimated. */
const ESTIMATE_CAP = 200_000;

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

  insert(lines: StoredLine[]): Promise<LogEntry[]> {
    if (lines.length === 0) return Promise.resolve([]);
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
      const sql = positive
        ? `SELECT count(*) AS n FROM (SELECT 1 ${fromMatches} LIMIT ${cap})`
        : `SELECT count(*) AS n FROM (SELECT 1 ${fromRows} LIMIT ${cap})`;
      const rows: Row[] = await this.ds.query(sql, positive ? [positive, ...params] : params);
      return Number(rows[0]['n']);
    };
    let total = await count(LOG_TOTAL_EXACT_LIMIT + 1);
    let estimated = false;
    if (total > LOG_TOTAL_EXACT_LIMIT) {
      total = await count(ESTIMATE_CAP);
      estimated = true;
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
      // Many matches: walk the newest rows and ask the index about each, which stops after a
      // page instead of sorting every match.
      rows = await this.ds.query(
        `SELECT ${ENTRY_COLUMNS} ${fromRows} AND EXISTS (SELECT 1 FROM log_fts WHERE log_fts MATCH ? AND rowid = e.id) ${page}`,
        [...params, positive, limit, offset],
      );
    }
    return { entries: rows.map(rowToEntry), total, estimated };
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
}
