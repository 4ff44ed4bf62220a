import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Stored lifecycle of an agent; `online` goes stale to `offline` on read (3 silent intervals). */
export type StoredAgentStatus = 'pending' | 'online' | 'offline' | 'revoked';

/** One host of the fleet, `local` (the hub's own host) included. */
@Entity('agents')
export class AgentEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  hostname!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  os!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  architecture!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  version!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: StoredAgentStatus;

  @Column({ name: 'last_seen', type: 'varchar', length: 32, nullable: true })
  lastSeen!: string | null;

  @Column({ name: 'registered_at', type: 'varchar', length: 32 })
  registeredAt!: string;

  /** Serial of the current client certificate, lower-case hex. */
  @Column({ name: 'cert_serial', type: 'varchar', length: 64, nullable: true })
  certSerial!: string | null;

  @Column({ name: 'cert_expires_at', type: 'varchar', length: 32, nullable: true })
  certExpiresAt!: string | null;

  @Column({ name: 'revoked_at', type: 'varchar', length: 32, nullable: true })
  revokedAt!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  /** SHA-256 of the one-time enrollment token; cleared when used. */
  @Index('uq_agents_enrollment_token_hash', { unique: true })
  @Column({ name: 'enrollment_token_hash', type: 'varchar', length: 64, nullable: true })
  enrollmentTokenHash!: string | null;

  @Column({ name: 'enrollment_token_expires_at', type: 'varchar', length: 32, nullable: true })
  enrollmentTokenExpiresAt!: string | null;
}
