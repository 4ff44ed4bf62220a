import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LogsSqlite1764750000000 implements MigrationInterface {
  name = 'LogsSqlite1764750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "log_entries" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ts" bigint NOT NULL, "agent_id" varchar(128) NOT NULL, "source" varchar(16) NOT NULL, "source_name" varchar(1024) NOT NULL, "level" varchar(16) NOT NULL, "message" text NOT NULL, "fields" text NOT NULL, "size" integer NOT NULL)`,
    );
    await q.query(
      `CREATE INDEX "idx_log_entries_agent_ts" ON "log_entries" ("agent_id", "ts", "id")`,
    );
    await q.query(`CREATE INDEX "idx_log_entries_ts" ON "log_entries" ("ts", "id")`);
    // Contentless: the index holds no copy of the text (log_entries has it); rows are deleted
    // by rowid, which contentless_delete (SQLite 3.43) allows. The stores feed it the words
    // only (searchText), so both databases split text the same way. Prefix indexes for 2 and 3
    // characters: without them `ab*` merges the lists of every word starting so, on every call.
    await q.query(
      `CREATE VIRTUAL TABLE "log_fts" USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "log_fts"`);
    await q.query(`DROP INDEX "idx_log_entries_ts"`);
    await q.query(`DROP INDEX "idx_log_entries_agent_ts"`);
    await q.query(`DROP TABLE "log_entries"`);
  }
}
