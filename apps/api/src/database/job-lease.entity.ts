import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who runs a periodic job (rollups, retention, purges) until when: one replica at a time. */
@Entity('job_leases')
export class JobLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 128 })
  holder!: string;

  /** Fencing token: goes up by one each time the lease changes hands. */
  @Column({ type: 'integer' })
  token!: number;

  @Column({ name: 'expires_at', type: 'varchar', length: 32 })
  expiresAt!: string;
}
