import type { MigrationInterface, QueryRunner } from 'typeorm';

// Settings changed at run time (the sampling interval), kept across restarts.
export class SettingsPostgres1764500100000 implements MigrationInterface {
  name = 'SettingsPostgres1764500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "settings" ("key" character varying(64) NOT NULL, "value" character varying(4096) NOT NULL, "updated_at" character varying(32) NOT NULL, CONSTRAINT "PK_c8639b7626fa94ba8265628f214" PRIMARY KEY ("key"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "settings"`);
  }
}
