import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { HistoryResolution } from '@tyto/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { serialTransaction } from '../database/serial';
import { HistoryReadRepository } from './history-read.repository';
import {
  BUCKET_COLUMNS,
  decodeBucket,
  decodeSample,
  DETAIL_COLUMNS,
  DETAIL_KEY,
  encodeBucket,
  encodeBucketDetail,
  encodeSample,
  encodeSampleDetail,
  KEY,
  placeholders,
  RAW_COLUMNS,
  TABLE,
  type Param,
  type Row,
} from './history-rows';
import { floorTo, type Bucket, type RawSample } from './history-series';
import { TIER_STEP_MS, type RollupSpec, type RollupTier } from './history-tiers';

/** Both databases cap bound parameters per statement (SQLite at 32,766); stay well below. */
const MAX_PARAMS = 15_000;

export type SourceRows = { kind: 'raw'; rows: RawSample[] } | { kind: 'buckets'; rows: Bucket[] };

/**
 * The writes of the history tables (samples, rollups, retention) and the rollup progress. Every
 * transaction goes through serialTransaction: SQLite shares one connection, so two transactions
 * open at once would interleave their statements.
 */
@Injectable()
export class HistoryRepository {
  private readonly pg: boolean;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reader: HistoryReadRepository,
  ) {
    this.pg = ds.options.type === 'postgres';
  }

  /** Stores samples (a repeated agent/timestamp is ignored) and marks their minutes for rollup. */
  insertSamples(samples: RawSample[]): Promise<void> {
    if (samples.length === 0) return Promise.resolve();
    return serialTransaction(this.ds, async (em) => {
      await this.insertRows(
        em,
        'history_raw',
        KEY,
        RAW_COLUMNS,
        samples.map(encodeSample),
        'ignore',
      );
      // A sample without entities or processes (a minimal agent) needs no detail row.
      const details = samples.map(encodeSampleDetail).filter((d) => d[3] !== null || d[4] !== null);
      await this.insertRows(em, 'history_detail', DETAIL_KEY, DETAIL_COLUMNS, details, 'ignore');
      const earliest = new Map<string, number>();
      for (const s of samples) {
        earliest.set(s.agentId, Math.min(earliest.get(s.agentId) ?? Infinity, s.ts));
      }
      // One statement for every agent of the batch, not one per agent.
      await this.rewindStates(
        em,
        '1m',
        [...earliest].map(([agentId, ts]) => [agentId, floorTo(ts, TIER_STEP_MS['1m'])]),
      );
    });
  }

  /** Writes buckets, replacing any with the same agent and start (the bench loads through this). */
  upsertBuckets(tier: RollupTier, buckets: Bucket[]): Promise<void> {
    return serialTransaction(this.ds, (em) => this.writeBuckets(em, tier, buckets));
  }

  /** Rollup progress of one tier: agent → every bucket before this time is done. */
  async rollupStates(tier: RollupTier): Promise<Map<string, number>> {
    const rows: Row[] = await this.ds.query(
      placeholders(
        this.pg,
        `SELECT agent_id, rolled_until FROM history_rollup_state WHERE tier = ?`,
      ),
      [tier],
    );
    return new Map(rows.map((r) => [String(r['agent_id']), Number(r['rolled_until'])]));
  }

  /** Every agent that ever stored a sample. */
  async agents(): Promise<string[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT DISTINCT agent_id FROM history_rollup_state ORDER BY agent_id`,
    );
    return rows.map((r) => String(r['agent_id']));
  }

  /** The first row time in [from, before) of a tier, or null when there is none. */
  async firstTimestamp(
    tier: HistoryResolution,
    agentId: string,
    from: number,
    before: number,
  ): Promise<number | null> {
    const rows: Row[] = await this.ds.query(
      placeholders(
        this.pg,
        `SELECT ts FROM ${TABLE[tier]} WHERE agent_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT 1`,
      ),
      [agentId, from, before],
    );
    return rows.length ? Number(rows[0]['ts']) : null;
  }

  /**
   * Rolls [start, end) of the source tier into `spec.tier` for one agent, in one transaction:
   * only while the agent's progress still reads `expected` (a late sample may have moved it back
   * meanwhile), then records `end` as done and moves the next tier back to the first bucket
   * written. Returns false when the progress had moved; nothing is written then.
   */
  rollup(
    spec: RollupSpec,
    agentId: string,
    expected: number,
    start: number,
    end: number,
    build: (source: SourceRows) => Bucket[],
  ): Promise<boolean> {
    return serialTransaction(this.ds, async (em) => {
      // FOR UPDATE makes a concurrent writer on another replica wait until this commits.
      const lock = this.pg ? ' FOR UPDATE' : '';
      const state: Row[] = await em.query(
        placeholders(
          this.pg,
          `SELECT rolled_until FROM history_rollup_state WHERE agent_id = ? AND tier = ?${lock}`,
        ),
        [agentId, spec.tier],
      );
      if (state.length === 0 || Number(state[0]['rolled_until']) !== expected) return false;
      const { series, rows, details } = await this.reader.read(
        em,
        spec.source,
        agentId,
        start,
        end,
        {
          entities: true,
          processes: spec.source === 'raw',
          samples: true,
        },
      );
      const detailOf = (r: unknown[]) => details.get(Number(r[0]));
      const buckets = build(
        spec.source === 'raw'
          ? { kind: 'raw', rows: rows.map((r) => decodeSample(agentId, r, series, detailOf(r))) }
          : {
              kind: 'buckets',
              rows: rows.map((r) => decodeBucket(agentId, r, series, detailOf(r))),
            },
      );
      await this.writeBuckets(em, spec.tier, buckets);
      await em.query(
        placeholders(
          this.pg,
          `UPDATE history_rollup_state SET rolled_until = ? WHERE agent_id = ? AND tier = ?`,
        ),
        [end, agentId, spec.tier],
      );
      if (spec.next && buckets.length) {
        const first = floorTo(buckets[0].ts, TIER_STEP_MS[spec.next]);
        await this.rewindStates(em, spec.next, [[agentId, first]]);
      }
      return true;
    });
  }

  /**
   * Deletes one agent's rows older than `before` from a tier (and their detail), `batch` rows per
   * statement so a large purge never holds the database for long. Returns the rows deleted.
   */
  async deleteOlderThan(
    tier: HistoryResolution,
    agentId: string,
    before: number,
    batch: number,
  ): Promise<number> {
    const deleted = await this.purge(
      TABLE[tier],
      'agent_id = :agentId',
      { agentId },
      before,
      batch,
    );
    await this.purge(
      'history_detail',
      'agent_id = :agentId AND tier = :tier',
      { agentId, tier },
      before,
      batch,
    );
    return deleted;
  }

  private async purge(
    table: string,
    where: string,
    params: Record<string, Param>,
    before: number,
    batch: number,
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      // The batch's newest row: deleting up to it removes `batch` rows through the key's index.
      const nth = await this.ds
        .createQueryBuilder()
        .select('ts')
        .from(table, 't')
        .where(`${where} AND ts < :before`, { ...params, before })
        .orderBy('ts')
        .offset(batch - 1)
        .limit(1)
        .getRawOne<{ ts: string | number }>();
      const bound = nth ? Number(nth.ts) + 1 : before;
      const result = await serialTransaction(this.ds, (em) =>
        em
          .createQueryBuilder()
          .delete()
          .from(table)
          .where(`${where} AND ts < :bound`, { ...params, bound })
          .execute(),
      );
      deleted += result.affected ?? 0;
      if (!nth) return deleted;
    }
  }

  private async writeBuckets(em: EntityManager, tier: RollupTier, buckets: Bucket[]) {
    await this.insertRows(
      em,
      TABLE[tier],
      KEY,
      BUCKET_COLUMNS,
      buckets.map(encodeBucket),
      'replace',
    );
    // Always written, even empty: a recomputed bucket must not keep a stale detail row.
    const details = buckets.map((b) => encodeBucketDetail(b, tier));
    await this.insertRows(em, 'history_detail', DETAIL_KEY, DETAIL_COLUMNS, details, 'replace');
  }

  private async insertRows(
    em: EntityManager,
    table: string,
    key: string[],
    columns: string[],
    rows: Param[][],
    onConflict: 'ignore' | 'replace',
  ): Promise<void> {
    const conflict =
      onConflict === 'ignore'
        ? 'DO NOTHING'
        : 'DO UPDATE SET ' +
          columns
            .filter((c) => !key.includes(c))
            .map((c) => `${c} = excluded.${c}`)
            .join(', ');
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      await em.query(
        placeholders(
          this.pg,
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ON CONFLICT (${key.join(', ')}) ${conflict}`,
        ),
        chunk.flat(),
      );
    }
  }

  /**
   * Moves agents' progress in a tier back to their `until` (creating it), never forward; one
   * statement per chunk of agents. Each agent appears once (PostgreSQL refuses a statement that
   * updates a row twice).
   */
  private async rewindStates(em: EntityManager, tier: RollupTier, states: [string, number][]) {
    const perStatement = Math.floor(MAX_PARAMS / 3);
    for (let i = 0; i < states.length; i += perStatement) {
      const chunk = states.slice(i, i + perStatement);
      await em.query(
        placeholders(
          this.pg,
          `INSERT INTO history_rollup_state (agent_id, tier, rolled_until) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
           ON CONFLICT (agent_id, tier) DO UPDATE SET rolled_until = excluded.rolled_until
           WHERE history_rollup_state.rolled_until > excluded.rolled_until`,
        ),
        chunk.flatMap(([agentId, until]) => [agentId, tier, until]),
      );
    }
  }
}
