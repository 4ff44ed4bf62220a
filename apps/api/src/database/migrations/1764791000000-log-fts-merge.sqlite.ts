import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * FTS5 merge settings for the log index, kept in its own config table. A level merges once it
 * holds 8 segments instead of 4, and a transaction's terms are flushed at 16 MB instead of 1 MB:
 * each line's postings are rewritten fewer times. At a million lines that is a third more lines
 * per second with searches as fast (tools/bench/fts5-variants.ts, docs/benchmarks.md).
 */
export class LogFtsMergeSqlite1764791000000 implements MigrationInterface {
  name = 'LogFtsMergeSqlite1764791000000';

  // Literals: FTS5 refuses its configuration commands with bound parameters.
  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO "log_fts" ("log_fts", "rank") VALUES ('automerge', 8)`);
    await q.query(`INSERT INTO "log_fts" ("log_fts", "rank") VALUES ('hashsize', 16777216)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO "log_fts" ("log_fts", "rank") VALUES ('automerge', 4)`);
    await q.query(`INSERT INTO "log_fts" ("log_fts", "rank") VALUES ('hashsize', 1048576)`);
  }
}
