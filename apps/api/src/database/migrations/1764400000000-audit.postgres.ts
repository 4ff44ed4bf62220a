import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditPostgres1764400000000 implements MigrationInterface {
  name = 'AuditPostgres1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_log" ("id" SERIAL NOT NULL, "timestamp" character varying(32) NOT NULL, "actor_id" character varying(36), "actor_username" character varying(128), "action" character varying(128) NOT NULL, "target" character varying(255), "ip" character varying(64), "outcome" character varying(16) NOT NULL, "status" integer NOT NULL, "details" text NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
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
