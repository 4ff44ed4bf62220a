import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every client certificate the CA issued. Outlives its agent (no foreign key): a deleted agent's
 * certificates stay on the CRL until they expire.
 */
@Entity('agent_certificates')
export class AgentCertificateEntity {
  /** Lower-case hex. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  serial!: string;

  @Index('idx_agent_certificates_agent_id')
  @Column({ name: 'agent_id', type: 'varchar', length: 63 })
  agentId!: string;

  @Column({ name: 'issued_at', type: 'varchar', length: 32 })
  issuedAt!: string;

  @Column({ name: 'not_after', type: 'varchar', length: 32 })
  notAfter!: string;

  @Index('idx_agent_certificates_revoked_at')
  @Column({ name: 'revoked_at', type: 'varchar', length: 32, nullable: true })
  revokedAt!: string | null;
}
