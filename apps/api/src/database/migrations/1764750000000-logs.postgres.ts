import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LogsPostgres1764750000000 implements MigrationInterface {
  name = 'LogsPostgres1764750000000';

  async up(q: QueryRunner): Promise<void> {
    // The search vector sits in the row (made from the words only, searchText, so both
    // databases split text the same way): a search with a host or level filter is then one
    // bitmap AND of the GIN and the b-tree index, and a recheck needs no join.
    await q.query(
      `CREATE TABLE "log_entries" ("id" BIGSERIAL NOT NULL, "ts" bigint NOT NULL, "agent_id" character varying(128) NOT NULL, "source" character varying(16) NOT NULL, "source_name" character varying(1024) NOT NULL, "level" character varying(16) NOT NULL, "message" text NOT NULL, "fields" text NOT NULL, "size" integer NOT NULL, "tsv" tsvector NOT NULL, CONSTRAINT "pk_log_entries" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "idx_log_entries_agent_ts" ON "log_entries" ("agent_id", "ts", "id")`,
    );
    await q.query(`CREATE INDEX "idx_log_entries_ts" ON "log_entries" ("ts", "id")`);
    await q.query(`CREATE INDEX "idx_log_entries_tsv" ON "log_entries" USING GIN ("tsv")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_log_entries_tsv"`);
    await q.query(`DROP INDEX "idx_log_entries_ts"`);
    await q.query(`DROP INDEX "idx_log_entries_agent_ts"`);
    await q.query(`DROP TABLE "log_entries"`);
  }
}
