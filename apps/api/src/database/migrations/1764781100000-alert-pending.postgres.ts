import type { MigrationInterface, QueryRunner } from 'typeorm';

// Pending alert conditions (a rule's `for` running), so a restart does not start it afresh.
export class AlertPendingPostgres1764781100000 implements MigrationInterface {
  name = 'AlertPendingPostgres1764781100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "alert_pending" ("agent_id" character varying(128) NOT NULL, "type" character varying(32) NOT NULL, "subject" character varying(255) NOT NULL, "since" bigint NOT NULL, "checked_at" bigint NOT NULL, CONSTRAINT "PK_alert_pending" PRIMARY KEY ("agent_id", "type", "subject"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_pending"`);
  }
}
