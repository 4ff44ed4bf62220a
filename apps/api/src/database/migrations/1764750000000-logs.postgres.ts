import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LogsPostgres1764750000000 implements MigrationInterface {
  name = 'LogsPostgres1764750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "log_entries" ("id" BIGSERIAL NOT NULL, "ts" bigint NOT NULL, "agent_id" character varying(128) NOT NULL, "source" character varying(16) NOT NULL, "source_name" character varying(1024) NOT NULL, "level" character varying(16) NOT NULL, "message" text NOT NULL, "fields" text NOT NULL, "size" integer NOT NULL, CONSTRAINT "PK_b226cc4051321f12106771581e0" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "idx_log_entries_agent_ts" ON "log_entries" ("agent_id", "ts", "id")`,
    );
    await q.query(`CREATE INDEX "idx_log_entries_ts" ON "log_entries" ("ts", "id")`);
    // The search vectors beside the rows (not in the entity: TypeORM has no tsvector on SQLite),
    // made from the words only (searchText) so both databases split text the same way. No
    // foreign key: the store deletes both by id, and a key check per inserted row would halve
    // the ingest rate.
    await q.query(
      `CREATE TABLE "log_fts" ("id" bigint NOT NULL, "tsv" tsvector NOT NULL, CONSTRAINT "pk_log_fts" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "idx_log_fts_tsv" ON "log_fts" USING GIN ("tsv")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "log_fts"`);
    await q.query(`DROP INDEX "idx_log_entries_ts"`);
    await q.query(`DROP INDEX "idx_log_entries_agent_ts"`);
    await q.query(`DROP TABLE "log_entries"`);
  }
}
