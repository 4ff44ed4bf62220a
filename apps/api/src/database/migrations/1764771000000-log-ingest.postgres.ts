import type { MigrationInterface, QueryRunner } from 'typeorm';

// Remote log ingest progress: the last stored log batch sequence number per agent, written in
// the same statement as the batch's lines (idempotent back-fill). Not an entity: only the log
// stores touch it, like log_entries.
export class LogIngestPostgres1764771000000 implements MigrationInterface {
  name = 'LogIngestPostgres1764771000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "log_ingest" ("agent_id" character varying(128) NOT NULL, "last_seq" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "pk_log_ingest" PRIMARY KEY ("agent_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "log_ingest"`);
  }
}
