import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditOutcome } from '@tyto/contracts';

/** Append-only: nothing in the hub updates or deletes these rows. */
@Entity('audit_log')
export class AuditEntryEntity {
  /** Increasing, so paging by id is stable even when timestamps tie. */
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Index('idx_audit_log_timestamp')
  @Column({ type: 'varchar', length: 32 })
  timestamp!: string;

  /** No foreign key: the entry outlives whatever happens to the user. */
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 128, nullable: true })
  actorUsername!: string | null;

  @Index('idx_audit_log_action')
  @Column({ type: 'varchar', length: 128 })
  action!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ type: 'integer' })
  status!: number;

  /** JSON object of action-specific facts; never passwords or tokens. */
  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
