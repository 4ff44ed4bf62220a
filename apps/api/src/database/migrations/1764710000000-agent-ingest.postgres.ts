import type { MigrationInterface, QueryRunner } from 'typeorm';

// Agent ingest progress: the last stored sample sequence number per agent (idempotent back-fill).
export class AgentIngestPostgres1764710000000 implements MigrationInterface {
  name = 'AgentIngestPostgres1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agent_ingest" ("agent_id" character varying(128) NOT NULL, "last_seq" bigint NOT NULL, "updated_at" character varying(32) NOT NULL, CONSTRAINT "PK_agent_ingest" PRIMARY KEY ("agent_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent_ingest"`);
  }
}
