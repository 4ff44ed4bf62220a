import type { MigrationInterface, QueryRunner } from 'typeorm';

// Pending alert conditions (a rule's `for` running), so a restart does not start it afresh.
export class AlertPendingSqlite1764781100000 implements MigrationInterface {
  name = 'AlertPendingSqlite1764781100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "alert_pending" ("agent_id" varchar(128) NOT NULL, "type" varchar(32) NOT NULL, "subject" varchar(255) NOT NULL, "since" bigint NOT NULL, "checked_at" bigint NOT NULL, PRIMARY KEY ("agent_id", "type", "subject"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_pending"`);
  }
}
