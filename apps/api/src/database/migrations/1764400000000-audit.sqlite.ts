import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditSqlite1764400000000 implements MigrationInterface {
  name = 'AuditSqlite1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_log" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" varchar(32) NOT NULL, "actor_id" varchar(36), "actor_username" varchar(128), "action" varchar(128) NOT NULL, "target" varchar(255), "ip" varchar(64), "outcome" varchar(16) NOT NULL, "status" integer NOT NULL, "details" text NOT NULL)`,
    );
    await q.query(`CREATE INDEX "idx_audit_log_timestamp" ON "audit_log" ("timestamp")`);
    await q.query(`CREATE INDEX "idx_audit_log_action" ON "audit_log" ("action")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_audit_log_action"`);
    await q.query(`DROP INDEX "idx_audit_log_timestamp"`);
    await q.query(`DROP TABLE "audit_log"`);
  }
}
