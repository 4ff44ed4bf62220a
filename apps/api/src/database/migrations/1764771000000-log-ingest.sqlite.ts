import type { MigrationInterface, QueryRunner } from 'typeorm';

// Remote log ingest progress: the last stored log batch sequence number per agent, written in
// the same transaction as the batch's lines (idempotent back-fill). Not an entity: only the log
// stores touch it, like log_entries.
export class LogIngestSqlite1764771000000 implements MigrationInterface {
  name = 'LogIngestSqlite1764771000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "log_ingest" ("agent_id" varchar(128) PRIMARY KEY NOT NULL, "last_seq" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "log_ingest"`);
  }
}
