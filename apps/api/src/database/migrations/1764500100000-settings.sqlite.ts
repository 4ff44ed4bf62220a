import type { MigrationInterface, QueryRunner } from 'typeorm';

// Settings changed at run time (the sampling interval), kept across restarts.
export class SettingsSqlite1764500100000 implements MigrationInterface {
  name = 'SettingsSqlite1764500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "settings" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" varchar(4096) NOT NULL, "updated_at" varchar(32) NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "settings"`);
  }
}
