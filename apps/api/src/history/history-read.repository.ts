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
    const columns = [
      'ts',
      ...(tier === 'raw'
        ? series
        : [
            ...series.flatMap((s) => STATS.map((st) => `${s}_${st}`)),
            ...(opts.samples ? ['samples'] : []),
          ]),
    ];
    const limit = opts.limit === undefined ? '' : ` LIMIT ${Math.trunc(opts.limit)}`;
    const rows = await this.select(
      em,
      `SELECT ${columns.join(', ')} FROM ${TABLE[tier]} WHERE agent_id = ? AND ts >= ? AND ts < ? ORDER BY ts${limit}`,
      [agentId, from, to],
      columns,
    );
    const detail = [
      ...(opts.entities ? ['entities'] : []),
      ...(opts.processes && (tier === 'raw' || tier === '1m') ? ['processes'] : []),
    ];
    const details = new Map<number, Row>();
    if (detail.length && rows.length) {
      const found: Row[] = await (em ?? this.ds.manager).query(
        placeholders(
          this.pg,
          `SELECT ts, ${detail.join(', ')} FROM history_detail WHERE agent_id = ? AND tier = ? AND ts >= ? AND ts <= ?`,
        ),
        [agentId, tier, from, Number(rows[rows.length - 1][0])],
      );
      for (const d of found) details.set(Number(d['ts']), d);
    }
    return { series, rows, details };
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
      const pool = (this.ds.driver as unknown as { master: Pool }).master;
      // Named, so each connection plans it once (planning is a tenth of a chart query).
      const name = `history_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
      const result = await pool.query<unknown[]>({
        name,
        text: placeholders(this.pg, sql),
        values: params,
        rowMode: 'array',
      });
      return result.rows;
    }
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
