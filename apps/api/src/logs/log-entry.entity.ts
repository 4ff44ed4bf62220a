import type { LogEntryLevel, LogSource } from '@tyto/contracts';
import { Column, Entity, Index, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';

/** pg hands bigint back as a string; ids and epoch milliseconds fit a double exactly. */
const bigintNumber: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

// The full-text index is not an entity: SQLite keeps it in the FTS5 table `log_fts` (contentless,
// rowid = id) and PostgreSQL in `log_fts` (id, tsvector) with a GIN index, both written and
// read only by the log stores. The newest-first scans walk (ts, id), per host or across hosts.
@Entity('log_entries')
@Index('idx_log_entries_ts', ['ts', 'id'])
@Index('idx_log_entries_agent_ts', ['agentId', 'ts', 'id'])
export class LogEntryEntity {
  /** bigint: a busy fleet passes 2^31 lines in weeks (pg hands it back as a string). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string | number;

  /** Epoch milliseconds. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  ts!: number;

  @Column({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: LogSource;

  @Column({ name: 'source_name', type: 'varchar', length: 1024 })
  sourceName!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: LogEntryLevel;

  @Column({ type: 'text' })
  message!: string;

  /** JSON object of string values. */
  @Column({ type: 'text' })
  fields!: string;

  /** Bytes the row stands for (message + fields), summed for the per-host size limit. */
  @Column({ type: 'integer' })
  size!: number;
}
