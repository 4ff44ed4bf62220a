import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type EnrollmentStatus = 'pending' | 'approved' | 'rejected';

/**
 * An agent's request for a certificate without a token, waiting for an admin. Only the CSR's
 * public key is kept. Kept after the decision, so the agent's poll learns the outcome; a rejected
 * request stays rejected.
 */
@Entity('agent_enrollment_requests')
export class EnrollmentRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_agent_enrollment_requests_agent_id')
  @Column({ name: 'agent_id', type: 'varchar', length: 63 })
  agentId!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 255 })
  hostname!: string;

  @Column({ type: 'varchar', length: 64 })
  os!: string;

  @Column({ type: 'varchar', length: 64 })
  architecture!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  @Index('idx_agent_enrollment_requests_status')
  @Column({ type: 'varchar', length: 16 })
  status!: EnrollmentStatus;

  @Column({ name: 'requested_at', type: 'varchar', length: 32 })
  requestedAt!: string;

  @Column({ name: 'expires_at', type: 'varchar', length: 32 })
  expiresAt!: string;

  @Column({ name: 'decided_at', type: 'varchar', length: 32, nullable: true })
  decidedAt!: string | null;

  /** The issued certificate (PEM) of an approved request, for the agent's next poll. */
  @Column({ type: 'text', nullable: true })
  certificate!: string | null;
}
