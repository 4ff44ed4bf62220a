import { HOST_SERIES } from '@tyto/contracts';
import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

// History rows are keyed (agent_id, ts) with ts in epoch milliseconds: an 8-byte integer instead
// of a 24-character string, and a range scan on the primary key answers every query.
//
// The numbers a chart reads live in narrow rows (WITHOUT ROWID on SQLite: stored in key order, so
// one host's range is a run of adjacent pages however many agents write at once). The JSON of a
// row (per-mount/disk/interface values, top processes), a kilobyte or more, sits in
// history_detail and is read only when asked for: in the same rows it would spread a chart's
// numbers over ten times as many pages, and SQLite gives a large WITHOUT ROWID row a whole
// overflow page of its own.

// PostgreSQL keeps rows in arrival order, so one host's range is one page per row when a hundred
// agents write at once. Each table there also gets a covering index, (agent_id, ts) INCLUDE every
// series column, created by its own migration: a chart is then an index-only scan over adjacent
// pages. TypeORM cannot express INCLUDE, hence `synchronize: false` (and no such index on SQLite,
// whose WITHOUT ROWID tables are already in key order).
const COVERING = { synchronize: false } as const;

/** pg hands bigint back as a string; epoch milliseconds fit a double exactly. */
const epochMs: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

abstract class HistoryKey {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @PrimaryColumn({ type: 'bigint', transformer: epochMs })
  ts!: number;
}

/** One sample: one `real` column per host series. */
@Entity('history_raw', { withoutRowid: true })
@Index('idx_history_raw_series', COVERING)
export class HistoryRawEntity extends HistoryKey {}

/** Shared columns of the 1m, 5m and 1h tiers: avg/min/max of each host series. */
abstract class HistoryBucketColumns extends HistoryKey {
  /** Raw samples behind the bucket: the weight when rolling it into a coarser one. */
  @Column({ type: 'integer' })
  samples!: number;
}

// Ten series × three statistics: the columns are spelled out by the one list the writer, the
// rollups and the queries share, instead of thirty hand-written properties.
const real = (target: object, name: string) =>
  Column({ name, type: 'real', nullable: true })(target, name);
for (const series of HOST_SERIES) {
  real(HistoryRawEntity.prototype, series);
  for (const stat of ['avg', 'min', 'max'])
    real(HistoryBucketColumns.prototype, `${series}_${stat}`);
}

@Entity('history_1m', { withoutRowid: true })
@Index('idx_history_1m_series', COVERING)
export class History1mEntity extends HistoryBucketColumns {}

@Entity('history_5m', { withoutRowid: true })
@Index('idx_history_5m_series', COVERING)
export class History5mEntity extends HistoryBucketColumns {}

@Entity('history_1h', { withoutRowid: true })
@Index('idx_history_1h_series', COVERING)
export class History1hEntity extends HistoryBucketColumns {}

/** The JSON half of a raw or bucket row, keyed by its tier, agent and time. */
@Entity('history_detail')
export class HistoryDetailEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  /** `raw`, `1m`, `5m` or `1h`. */
  @PrimaryColumn({ type: 'varchar', length: 4 })
  tier!: string;

  @PrimaryColumn({ type: 'bigint', transformer: epochMs })
  ts!: number;

  /** Per-mount used %, per-disk and per-interface rates: values (raw) or [avg, min, max, n]. */
  @Column({ type: 'text', nullable: true })
  entities!: string | null;

  /** raw: the union of the sample's top-5 by CPU and by memory; 1m: the minute's peaks. */
  @Column({ type: 'text', nullable: true })
  processes!: string | null;
}

/**
 * Rollup progress per agent and tier: every bucket that starts before `rolled_until` is done. A
 * late sample moves it back, so the buckets it falls in are computed again.
 */
@Entity('history_rollup_state', { withoutRowid: true })
export class HistoryRollupStateEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @PrimaryColumn({ type: 'varchar', length: 4 })
  tier!: string;

  @Column({ name: 'rolled_until', type: 'bigint', transformer: epochMs })
  rolledUntil!: number;
}

export const HISTORY_ENTITIES = [
  HistoryRawEntity,
  History1mEntity,
  History5mEntity,
  History1hEntity,
  HistoryDetailEntity,
  HistoryRollupStateEntity,
];
