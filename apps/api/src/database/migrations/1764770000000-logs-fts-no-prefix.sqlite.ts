import { searchText } from '@tyto/contracts';
import type { Database } from 'better-sqlite3';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const FTS_OPTIONS = `content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'`;

/**
 * The log index without its 2- and 3-character prefix indexes. Each prefix index adds an entry
 * per word to every insert: with both, FTS5 wrote three entries per word and ingest ran at about
 * half the rate (docs/benchmarks.md, Logs). A prefix search (`ab*`) now merges the lists of the
 * words it covers, which costs more only for the shortest prefixes; 4+ characters never had an
 * index. A contentless table keeps no text to rebuild from, so the words are fed again from
 * log_entries through searchText, the function the stores feed it with.
 */
export class LogsFtsNoPrefixSqlite1764770000000 implements MigrationInterface {
  name = 'LogsFtsNoPrefixSqlite1764770000000';

  async up(q: QueryRunner): Promise<void> {
    await this.rebuild(q, FTS_OPTIONS);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rebuild(q, `${FTS_OPTIONS}, prefix='2 3'`);
  }

  private async rebuild(q: QueryRunner, options: string): Promise<void> {
    const db = (q.connection.driver as unknown as { databaseConnection: Database })
      .databaseConnection;
    db.function('tyto_search_text', { deterministic: true }, (message: unknown) =>
      searchText(String(message)),
    );
    await q.query(`CREATE VIRTUAL TABLE "log_fts_rebuilt" USING fts5(body, ${options})`);
    await q.query(
      `INSERT INTO "log_fts_rebuilt" (rowid, body) SELECT id, tyto_search_text(message) FROM "log_entries"`,
    );
    await q.query(`DROP TABLE "log_fts"`);
    await q.query(`ALTER TABLE "log_fts_rebuilt" RENAME TO "log_fts"`);
  }
}
