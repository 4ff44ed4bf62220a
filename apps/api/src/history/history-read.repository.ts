import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HOST_SERIES, type HistoryResolution, type HostSeries } from '@tyto/contracts';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import {
  decodeBucket,
  decodeSample,
  parseNumberArray,
  parseProcessPeaks,
  placeholders,
  STATS,
  TABLE,
  type Param,
  type Row,
} from './history-rows';
import type { Bucket, ProcessPeaks, RawSample } from './history-series';
import type { RollupTier } from './history-tiers';

export interface TierRows {
  series: readonly HostSeries[];
  rows: unknown[][];
  details: Map<number, Row>;
}

/**
 * A chart's rows, [ts, ...values] (raw) or [ts, avg, min, max, …] (buckets) for the selected
 * series: cell c of row r is `rows[r][c]` (SQLite) or `flat[r * width + c]` (PostgreSQL).
 */
export interface ChartRows {
  count: number;
  width: number;
  rows: unknown[][] | null;
  flat: ArrayLike<number | null> | null;
  /** `flat` is a Float64Array with NaN for NULL (it then holds no NaN of its own). */
  nanIsNull: boolean;
  details: Map<number, Row>;
}

/** What to read: the query path asks for a few series only, the rollups for everything. */
export interface ReadOptions {
  series?: readonly HostSeries[];
  entities?: boolean;
  processes?: boolean;
  /** Buckets' sample counts, the weights a rollup needs. */
  samples?: boolean;
  limit?: number;
}

/** The reads of the history tables: chart queries, process history and rollups' source rows. */
@Injectable()
export class HistoryReadRepository {
  private readonly pg: boolean;
  private readonly statements = new Map<string, Statement<unknown[], unknown[]>>();
  private readonly statementNames = new Map<string, string>();

  constructor(@InjectDataSource() private readonly ds: DataSource) {
    this.pg = ds.options.type === 'postgres';
  }

  async readSamples(
    agentId: string,
    from: number,
    to: number,
    opts: ReadOptions = {},
  ): Promise<RawSample[]> {
    const { series, rows, details } = await this.read(null, 'raw', agentId, from, to, opts);
    return rows.map((r) => decodeSample(agentId, r, series, details.get(Number(r[0]))));
  }

  async readBuckets(
    tier: RollupTier,
    agentId: string,
    from: number,
    to: number,
    opts: ReadOptions = {},
  ): Promise<Bucket[]> {
    const { series, rows, details } = await this.read(null, tier, agentId, from, to, opts);
    return rows.map((r) => decodeBucket(agentId, r, series, details.get(Number(r[0]))));
  }

  /** The stored top processes of one minute, or null when that minute is not rolled up. */
  async processesAt(agentId: string, minute: number): Promise<ProcessPeaks | null> {
    const rows: Row[] = await this.ds.query(
      placeholders(
        this.pg,
        `SELECT processes FROM history_detail WHERE agent_id = ? AND tier = '1m' AND ts = ?`,
      ),
      [agentId, minute],
    );
    return rows.length ? parseProcessPeaks(rows[0]['processes']) : null;
  }

  /** Time of the oldest row the agent has in any tier, epoch ms; null when it has none. */
  async oldest(agentId: string): Promise<number | null> {
    let oldest: number | null = null;
    for (const table of Object.values(TABLE)) {
      const rows: Row[] = await this.ds.query(
        placeholders(this.pg, `SELECT MIN(ts) AS ts FROM ${table} WHERE agent_id = ?`),
        [agentId],
      );
      const ts = rows[0]?.['ts'];
      if (ts !== null && ts !== undefined && (oldest === null || Number(ts) < oldest)) {
        oldest = Number(ts);
      }
    }
    return oldest;
  }

  /** Rows of one agent in a tier (tests and the benchmark). */
  async count(tier: HistoryResolution, agentId: string): Promise<number> {
    const rows: Row[] = await this.ds.query(
      placeholders(this.pg, `SELECT COUNT(*) AS n FROM ${TABLE[tier]} WHERE agent_id = ?`),
      [agentId],
    );
    return Number(rows[0]['n']);
  }

  /**
   * Rows of one tier as arrays, [ts, ...values] (raw) or [ts, avg, min, max, …, samples?]
   * (buckets) for the selected series, with the detail columns asked for by time.
   */
  async read(
    em: EntityManager | null,
    tier: HistoryResolution,
    agentId: string,
    from: number,
    to: number,
    opts: ReadOptions,
  ): Promise<TierRows> {
    const series = opts.series ?? HOST_SERIES;
    const columns = selectColumns(tier, series, opts.samples === true);
    const rows = await this.select(
      em,
      rowsSql(tier, columns, opts.limit),
      [agentId, from, to],
      columns,
    );
    const details = rows.length
      ? await this.details(em, tier, agentId, from, Number(rows[rows.length - 1][0]), opts)
      : new Map<number, Row>();
    return { series, rows, details };
  }

  /**
   * What a chart shows, read as cheaply as each driver allows: SQLite's rows as arrays,
   * PostgreSQL's as one text of numbers (see flatSql), with the detail columns asked for.
   */
  async readChart(
    tier: HistoryResolution,
    agentId: string,
    from: number,
    to: number,
    opts: ReadOptions,
  ): Promise<ChartRows> {
    const columns = selectColumns(tier, opts.series ?? HOST_SERIES, false);
    const params = [agentId, from, to];
    const width = columns.length;
    let chart: ChartRows;
    let last: unknown;
    if (this.pg) {
      const { values, nanIsNull } = parseFlat(
        await this.pgValue(flatSql(tier, columns, opts.limit), params),
      );
      const count = values.length / width;
      chart = { count, width, rows: null, flat: values, nanIsNull, details: new Map() };
      last = values[(count - 1) * width];
    } else {
      const rows = this.sqliteRows(rowsSql(tier, columns, opts.limit), params);
      chart = { count: rows.length, width, rows, flat: null, nanIsNull: false, details: new Map() };
      last = rows[rows.length - 1]?.[0];
    }
    if (chart.count > 0) {
      chart.details = await this.details(null, tier, agentId, from, Number(last), opts);
    }
    return chart;
  }

  /** The detail columns asked for (entities, processes) of the rows from `from` to `last`. */
  private async details(
    em: EntityManager | null,
    tier: HistoryResolution,
    agentId: string,
    from: number,
    last: number,
    opts: ReadOptions,
  ): Promise<Map<number, Row>> {
    const detail = [
      ...(opts.entities ? ['entities'] : []),
      ...(opts.processes && (tier === 'raw' || tier === '1m') ? ['processes'] : []),
    ];
    const details = new Map<number, Row>();
    if (detail.length) {
      const found: Row[] = await (em ?? this.ds.manager).query(
        placeholders(
          this.pg,
          `SELECT ts, ${detail.join(', ')} FROM history_detail WHERE agent_id = ? AND tier = ? AND ts >= ? AND ts <= ?`,
        ),
        [agentId, tier, from, last],
      );
      for (const d of found) details.set(Number(d['ts']), d);
    }
    return details;
  }

  /**
   * Rows as arrays rather than objects: a 1,440-point chart is over ten thousand values and
   * per-row objects cost more than the query itself. Outside a transaction the query path asks
   * the driver directly (better-sqlite3 raw mode, pg rowMode array); inside one, its manager.
   */
  private async select(
    em: EntityManager | null,
    sql: string,
    params: Param[],
    columns: string[],
  ): Promise<unknown[][]> {
    if (em) {
      const rows: Row[] = await em.query(placeholders(this.pg, sql), params);
      return rows.map((r) => columns.map((c) => r[c]));
    }
    if (this.pg) {
      const result = await this.pool().query<unknown[]>({
        name: this.statementName(sql),
        text: placeholders(this.pg, sql),
        values: params,
        rowMode: 'array',
      });
      return result.rows;
    }
    return this.sqliteRows(sql, params);
  }

  /** The first column of the first row of a prepared PostgreSQL statement, null if none. */
  private async pgValue(sql: string, params: Param[]): Promise<unknown> {
    const result = await this.pool().query<unknown[]>({
      name: this.statementName(sql),
      text: placeholders(this.pg, sql),
      values: params,
      rowMode: 'array',
    });
    return result.rows[0]?.[0] ?? null;
  }

  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }

  /** Named, so each connection plans it once (planning is a tenth of a chart query). */
  private statementName(sql: string): string {
    let name = this.statementNames.get(sql);
    if (name === undefined) {
      name = `history_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
      if (this.statementNames.size >= 256) this.statementNames.clear();
      this.statementNames.set(sql, name);
    }
    return name;
  }

  private sqliteRows(sql: string, params: Param[]): unknown[][] {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      const db = (this.ds.driver as unknown as { databaseConnection: SqliteDatabase })
        .databaseConnection;
      stmt = db.prepare<unknown[], unknown[]>(sql).raw(true);
      // Selections vary with the metrics asked for; keep the most recent ones prepared.
      if (this.statements.size >= 64) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt.all(...params);
  }
}

/** ts, then the selected series' value (raw) or avg, min and max (buckets). */
function selectColumns(
  tier: HistoryResolution,
  series: readonly HostSeries[],
  samples: boolean,
): string[] {
  return [
    'ts',
    ...(tier === 'raw'
      ? series
      : [
          ...series.flatMap((s) => STATS.map((st) => `${s}_${st}`)),
          ...(samples ? ['samples'] : []),
        ]),
  ];
}

function rowsSql(tier: HistoryResolution, columns: string[], limit: number | undefined): string {
  const lim = limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`;
  return `SELECT ${columns.join(', ')} FROM ${TABLE[tier]} WHERE agent_id = ? AND ts >= ? AND ts < ? ORDER BY ts${lim}`;
}

/**
 * The same rows as one text, `[ts,v,v,…,ts,v,v,…]` in time order, NULL as `null`: 1,441 rows
 * otherwise arrive as 1,441 messages, each parsed into an array of strings and then of numbers,
 * which cost the client more than the query costs the server. Each value is the real's text
 * output (what the text protocol sends, so the numbers are the same); the whole parses as one JSON
 * array. ARRAY(subquery) keeps the subquery's order, without string_agg's sort.
 */
function flatSql(tier: HistoryResolution, columns: string[], limit: number | undefined): string {
  const cells = columns.map((c) => (c === 'ts' ? c : `coalesce(${c}::text, 'null')`));
  const rows = rowsSql(tier, [`concat_ws(',', ${cells.join(', ')})`], limit);
  // The brackets come from the server: added here, they would make a second copy of the text.
  return `SELECT '[' || array_to_string(ARRAY(${rows}), ',') || ']'`;
}

/**
 * flatSql's text as values: read in place into a Float64Array (no object per value), or, when it
 * holds NaN or ±Infinity (not JSON), as pg reads each real, with parseFloat.
 */
function parseFlat(text: unknown): {
  values: Float64Array | (number | null)[];
  nanIsNull: boolean;
} {
  if (typeof text !== 'string') return { values: [], nanIsNull: false };
  // Every value takes at least one character and a comma.
  const out = new Float64Array((text.length >> 1) + 1);
  const n = parseNumberArray(text, out);
  if (n >= 0) return { values: out.subarray(0, n), nanIsNull: true };
  const inner = text.slice(1, -1);
  return {
    values: inner === '' ? [] : inner.split(',').map((v) => (v === 'null' ? null : parseFloat(v))),
    nanIsNull: false,
  };
}
