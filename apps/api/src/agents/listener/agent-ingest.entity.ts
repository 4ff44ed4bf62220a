import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

const bigintNumber: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | number) => Number(v),
};

/**
 * Ingest progress per agent: the highest sample sequence number stored. A sample at or below it
 * is a repeat (a back-fill resent after a lost ack) and is dropped, so storage is idempotent on
 * (agent, sequence).
 */
@Entity('agent_ingest')
export class AgentIngestEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @Column({ name: 'last_seq', type: 'bigint', transformer: bigintNumber })
  lastSeq!: number;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}
