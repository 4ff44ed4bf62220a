import type { MigrationInterface, QueryRunner } from 'typeorm';

// Agent ingest progress: the last stored sample sequence number per agent (idempotent back-fill).
export class AgentIngestSqlite1764710000000 implements MigrationInterface {
  name = 'AgentIngestSqlite1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agent_ingest" ("agent_id" varchar(128) PRIMARY KEY NOT NULL, "last_seq" bigint NOT NULL, "updated_at" varchar(32) NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent_ingest"`);
  }
}
