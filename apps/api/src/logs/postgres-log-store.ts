import {
  LOG_TOTAL_EXACT_LIMIT,
  type LogEntry,
  type LogSearchTerm,
  type LogSource,
} from '@tyto/contracts';
import type { DataSource } from 'typeorm';
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

/**
 * A lone word the planner expects this many times is taken as past the exact limit without
 * counting: ten times the limit, so a statistics sample that is off by a few percent, or a
 * table that changed somewhat since its last ANALYZE, cannot turn 10,000 into more.
 */
const TRUST_ESTIMATE_FROM = 10 * LOG_TOTAL_EXACT_LIMIT;

/** `?` placeholders to `$1, $2, …`. */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** PostgreSQL leaves words longer than this out of a tsvector (and refuses them in a literal). */
const MAX_LEXEME_BYTES = 2047;
/** to_tsvector keeps a word's first 255 positions; a literal would keep 256. */
const MAX_POSITIONS = 255;

/**
 * The tsvector of a line's words (searchText: lower case letters and digits, one space apart)
 * as a literal, `'word':1 'other':2 'word':3`, equal to what `to_tsvector('simple', words)`
 * makes (the cast merges a repeated word's positions). The server then skips the text-search
 * parser per line: a fifth of its work at 300,000 lines, less as the GIN index grows
 * (tools/bench/pg-log-variants.ts). Words split as searchText and SQLite split them, not as the
 * parser and the database's locale would. They hold no quote or backslash: nothing to escape.
 */
export function tsvectorLiteral(words: string): string {
  const list = words.split(' ');
  // Only a long line can hold a word too long to index (three bytes per UTF-16 unit at most),
  // and only one of many words a word past the position cap: most lines need neither check.
  const mayBeLong = words.length * 3 > MAX_LEXEME_BYTES;
  const seen = list.length > MAX_POSITIONS ? new Map<string, number>() : null;
  let out = '';
  let pos = 0;
  for (const w of list) {
    if (!w || (mayBeLong && Buffer.byteLength(w) > MAX_LEXEME_BYTES)) continue;
    pos++;
    if (seen) {
      const n = (seen.get(w) ?? 0) + 1;
      seen.set(w, n);
      if (n > MAX_POSITIONS) continue;
    }
    out += `'${w}':${pos} `;
  }
  return out;
}

/**
 * A tsquery of terms: a phrase is its words joined by `<->`, a prefix ends in `:*`. The words are
 * runs of letters and digits (parseLogSearch), so quoting each as a lexeme leaves no syntax to
 * inject; the string is still passed as a parameter and cast, `?::tsquery`, so its lexemes are
 * the words as tsvectorLiteral stored them. A search is at most 512 characters, so no word in it
 * reaches MAX_LEXEME_BYTES.
 */
function tsquery(terms: LogSearchTerm[], join: '&' | '|'): string {
  return terms
    .map((t) => {
      const lexemes = t.words.map((w) => `'${w}'`);
      if (t.prefix) lexemes[lexemes.length - 1] += ':*';
      return `(${lexemes.join(' <-> ')})`;
    })
    .join(` ${join} `);
}

/** PostgreSQL: log_entries with its tsvector column `tsv` under a GIN index. */
export class PostgresLogStore implements LogStore {
  constructor(private readonly ds: DataSource) {}

  async insert(lines: StoredLine[], marks: LogBatchMark[] = []): Promise<LogEntry[]> {
    if (lines.length === 0 && marks.length === 0) return [];
    // Ids first, so the entries handed back carry theirs in input order (RETURNING promises none).
    const idRows: Row[] = await this.ds.query(
      `SELECT nextval('log_entries_id_seq') AS id FROM generate_series(1, $1)`,
      [lines.length],
    );
    const ids = idRows.map((r) => Number(r['id']));
    const cols = {
      ts: [] as number[],
      agent: [] as string[],
      source: [] as string[],
      name: [] as string[],
      level: [] as string[],
      message: [] as string[],
      fields: [] as string[],
      size: [] as number[],
      body: [] as string[],
    };
    for (const s of lines) {
      const fields = JSON.stringify(s.line.fields);
      cols.ts.push(s.ts);
      cols.agent.push(s.agentId);
      cols.source.push(s.line.source);
      cols.name.push(s.line.source_name);
      cols.level.push(s.line.level);
      cols.message.push(s.line.message);
      cols.fields.push(fields);
      cols.size.push(lineSize(s.line, fields));
      cols.body.push(tsvectorLiteral(s.body));
    }
    // The marks ride the same statement (a data-modifying CTE): stored with the lines or not at all.
    const withMarks = marksCte(marks, 11);
    await this.ds.query(
      `${withMarks.sql}INSERT INTO log_entries (id, ts, agent_id, source, source_name, level, message, fields, size, tsv)
       SELECT id, ts, agent_id, source, source_name, level, message, fields, size, tsv::tsvector
       FROM unnest($1::bigint[], $2::bigint[], $3::varchar[], $4::varchar[], $5::varchar[],
         $6::varchar[], $7::text[], $8::text[], $9::int[], $10::text[])
         AS t(id, ts, agent_id, source, source_name, level, message, fields, size, tsv)`,
      [
        ids,
        cols.ts,
        cols.agent,
        cols.source,
        cols.name,
        cols.level,
        cols.message,
        cols.fields,
        cols.size,
        cols.body,
        ...withMarks.params,
      ],
    );
    return lines.map((s, i) => storedEntry(s, ids[i]));
  }

  async query(f: LogFilter, limit: number, offset: number): Promise<LogPage> {
    const { where, params } = filterSql(f);
    const positive = f.search?.terms.length ? tsquery(f.search.terms, '&') : null;
    const negative = f.search?.excluded.length ? tsquery(f.search.excluded, '|') : null;
    if (negative) {
      where.push(`NOT (e.tsv @@ ?::tsquery)`);
      params.push(negative);
    }
    const cond = where.length ? `AND ${where.join(' AND ')}` : '';
    const fromMatches = `FROM log_entries e WHERE e.tsv @@ ?::tsquery ${cond}`;
    const fromRows = `FROM log_entries e WHERE true ${cond}`;
    const countParams = positive ? [positive, ...params] : params;
    const inner = positive ? `SELECT 1 ${fromMatches}` : `SELECT 1 ${fromRows}`;
    // The planner's estimate (table statistics, tsvector element frequencies) stands in for
    // counting millions of rows beyond the exact limit.
    const planned = async (): Promise<number> => {
      const plan: Row[] = await this.ds.query(
        numbered(`EXPLAIN (FORMAT JSON) ${inner}`),
        countParams,
      );
      const json = plan[0]['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[];
      return Math.round(json[0].Plan['Plan Rows']);
    };
    let total: number;
    let estimated: boolean;
    // One word or prefix and nothing else: the estimate comes straight from that word's
    // measured frequency, so far past the limit it is trusted and the count (10,001 matching
    // rows read from the heap, the slow part of a common word) is skipped. Anything combined is
    // estimated as if independent, which can be far off, so it is counted.
    const terms = f.search?.terms ?? [];
    const single =
      positive !== null &&
      where.length === 0 &&
      terms.length === 1 &&
      terms[0].words.length === 1 &&
      !terms[0].prefix;
    const guess = single ? await planned() : 0;
    if (guess >= TRUST_ESTIMATE_FROM) {
      total = guess;
      estimated = true;
    } else {
      const counted: Row[] = await this.ds.query(
        numbered(`SELECT count(*) AS n FROM (${inner} LIMIT ${LOG_TOTAL_EXACT_LIMIT + 1}) c`),
        countParams,
      );
      total = Number(counted[0]['n']);
      estimated = total > LOG_TOTAL_EXACT_LIMIT;
      if (estimated) total = Math.max(LOG_TOTAL_EXACT_LIMIT + 1, guess || (await planned()));
    }
    const page = 'ORDER BY e.ts DESC, e.id DESC LIMIT ? OFFSET ?';
    let rows: Row[];
    if (!positive) {
      rows = await this.ds.query(numbered(`SELECT ${ENTRY_COLUMNS} ${fromRows} ${page}`), [
        ...params,
        limit,
        offset,
      ]);
    } else {
      const newest =
        total > LOG_TOTAL_EXACT_LIMIT
          ? await this.newestByTime(fromRows, positive, params, total, limit, offset)
          : null;
      // Few matches (or many, but not among the newest rows): all of them from the GIN index,
      // then sorted. MATERIALIZED keeps the planner from walking the time index backwards,
      // testing every row, hoping to meet a rare word.
      rows =
        newest ??
        (await this.ds.query(
          numbered(
            `WITH m AS MATERIALIZED (SELECT e.id, e.ts ${fromMatches})
             SELECT ${ENTRY_COLUMNS} FROM m JOIN log_entries e ON e.id = m.id
             ORDER BY m.ts DESC, m.id DESC LIMIT ? OFFSET ?`,
          ),
          [positive, ...params, limit, offset],
        ));
    }
    return { entries: rows.map(rowToEntry), total, estimated };
  }

  /**
   * Many matches: the newest rows in time order, each checked against its vector, stopping after
   * a page (a bitmap plan would gather every match first; it is off for this query). The walk is
   * bounded: four times the rows the matches' share predicts for the page. A word that is common
   * but absent from the newest rows (or an estimate that is stale) would otherwise walk the time
   * index back over the whole table; past the bound this returns null and the caller sorts the
   * index's matches instead.
   */
  private async newestByTime(
    fromRows: string,
    positive: string,
    params: unknown[],
    matches: number,
    limit: number,
    offset: number,
  ): Promise<Row[] | null> {
    const size: Row[] = await this.ds.query(
      "SELECT GREATEST(reltuples, 1)::bigint AS n FROM pg_class WHERE oid = 'log_entries'::regclass",
    );
    const want = offset + limit;
    const budget = Math.max(1000, Math.ceil((4 * want * Number(size[0]['n'])) / matches));
    const rows: Row[] = await this.ds.transaction(async (em) => {
      await em.query('SET LOCAL enable_bitmapscan = off');
      return em.query(
        numbered(
          `SELECT ${ENTRY_COLUMNS} FROM (
             SELECT e.* ${fromRows} ORDER BY e.ts DESC, e.id DESC LIMIT ?) e
           WHERE e.tsv @@ ?::tsquery
           ORDER BY e.ts DESC, e.id DESC LIMIT ? OFFSET ?`,
        ),
        [...params, budget, positive, limit, offset],
      ) as Promise<Row[]>;
    });
    // A short page: the bound was reached (or the matches end within it); either way the sorted
    // plan answers exactly.
    return rows.length < limit ? null : rows;
  }

  async agents(): Promise<string[]> {
    const rows: Row[] = await this.ds.query(
      'SELECT DISTINCT agent_id FROM log_entries ORDER BY agent_id',
    );
    return rows.map((r) => String(r['agent_id']));
  }

  async deleteOlderThan(agentId: string, before: number, batch: number): Promise<number> {
    const r = await this.deleteWhere(
      'SELECT id, size FROM log_entries WHERE agent_id = $1 AND ts < $2 ORDER BY ts, id LIMIT $3',
      [agentId, before, batch],
    );
    return r.deleted;
  }

  async bytesOf(agentId: string): Promise<number> {
    const rows: Row[] = await this.ds.query(
      'SELECT COALESCE(SUM(size), 0) AS n FROM log_entries WHERE agent_id = $1',
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
      'SELECT id, size FROM log_entries WHERE agent_id = $1 ORDER BY ts, id LIMIT $2',
      [agentId, batch],
      bytesToFree,
    );
  }

  async sourceNames(agentId?: string): Promise<{ source: LogSource; source_name: string }[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT DISTINCT source, source_name FROM log_entries ${agentId ? 'WHERE agent_id = $1' : ''} ORDER BY source, source_name LIMIT 1000`,
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
    return this.ds.transaction(async (em) => {
      const rows = upTo(
        ((await em.query(select, params)) as Row[]).map((r) => ({
          id: Number(r['id']),
          size: Number(r['size']),
        })),
        bytesToFree,
      );
      if (rows.length === 0) return { deleted: 0, bytes: 0 };
      const ids = rows.map((r) => r.id);
      await em.query('DELETE FROM log_entries WHERE id = ANY($1::bigint[])', [ids]);
      return { deleted: ids.length, bytes: rows.reduce((a, r) => a + r.size, 0) };
    });
  }

  // ---- remote agents' batch marks and the histogram ----

  async lastBatch(agentId: string): Promise<number> {
    const rows: Row[] = await this.ds.query('SELECT last_seq FROM log_ingest WHERE agent_id = $1', [
      agentId,
    ]);
    return rows.length ? Number(rows[0]['last_seq']) : 0;
  }

  async forgetBatches(agentId: string): Promise<void> {
    await this.ds.query('DELETE FROM log_ingest WHERE agent_id = $1', [agentId]);
  }

  async histogram(f: LogFilter, start: number, intervalMs: number): Promise<LogHistogramRow[]> {
    const m = matchesSql(f);
    const rows: Row[] = await this.ds.query(
      numbered(
        `SELECT (e.ts - ?::bigint) / ?::bigint AS b, count(*) AS n ${m.sql} GROUP BY b ORDER BY b`,
      ),
      [start, intervalMs, ...m.params],
    );
    return rows.map((r) => ({ bucket: Number(r['b']), count: Number(r['n']) }));
  }

  async oldestMatch(f: LogFilter): Promise<number | null> {
    const m = matchesSql(f);
    const rows: Row[] = await this.ds.query(numbered(`SELECT min(e.ts) AS t ${m.sql}`), m.params);
    const t = rows[0]?.['t'];
    return t === null || t === undefined ? null : Number(t);
  }
}

/** FROM … WHERE … of the rows a filter matches, search included, with `?` placeholders. */
function matchesSql(f: LogFilter): { sql: string; params: unknown[] } {
  const { where, params } = filterSql(f);
  if (f.search?.terms.length) {
    where.push(`e.tsv @@ ?::tsquery`);
    params.push(tsquery(f.search.terms, '&'));
  }
  if (f.search?.excluded.length) {
    where.push(`NOT (e.tsv @@ ?::tsquery)`);
    params.push(tsquery(f.search.excluded, '|'));
  }
  return { sql: `FROM log_entries e WHERE true ${where.map((w) => `AND ${w}`).join(' ')}`, params };
}

/**
 * A CTE that moves each agent's batch mark forward (never back), to put before the INSERT of
 * the lines; its parameters are numbered from `first`.
 */
function marksCte(marks: LogBatchMark[], first: number): { sql: string; params: unknown[] } {
  if (marks.length === 0) return { sql: '', params: [] };
  return {
    sql: `WITH marks AS (INSERT INTO log_ingest (agent_id, last_seq, updated_at)
      SELECT a, s, ${Date.now()} FROM unnest($${first}::varchar[], $${first + 1}::bigint[]) AS m(a, s)
      ON CONFLICT (agent_id) DO UPDATE SET last_seq = GREATEST(log_ingest.last_seq, EXCLUDED.last_seq),
        updated_at = EXCLUDED.updated_at) `,
    params: [marks.map((m) => m.agentId), marks.map((m) => m.seq)],
  };
}
