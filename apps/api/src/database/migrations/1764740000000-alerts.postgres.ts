import type { MigrationInterface, QueryRunner } from 'typeorm';

// Alerts: alerts (active and history), rules, silences, notification channels and their queue.
export class AlertsPostgres1764740000000 implements MigrationInterface {
  name = 'AlertsPostgres1764740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "alerts" ("id" character varying(36) NOT NULL, "agent_id" character varying(128) NOT NULL, "type" character varying(32) NOT NULL, "subject" character varying(255) NOT NULL, "level" character varying(16) NOT NULL, "value" real NOT NULL, "threshold" real, "message" character varying(512) NOT NULL, "created_at" character varying(32) NOT NULL, "updated_at" character varying(32) NOT NULL, "resolved_at" character varying(32), "acknowledged_at" character varying(32), "acknowledged_by" character varying(128), "silenced" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "idx_alerts_created_at" ON "alerts" ("created_at")`);
    await q.query(`CREATE INDEX "idx_alerts_active" ON "alerts" ("resolved_at", "agent_id")`);
    await q.query(
      `CREATE TABLE "alert_rules" ("type" character varying(32) NOT NULL, "agent_id" character varying(128) NOT NULL, "enabled" boolean NOT NULL, "warning" real, "critical" real, "for_seconds" integer NOT NULL, "hysteresis" real NOT NULL, "level" character varying(16) NOT NULL, "intervals" integer NOT NULL, "updated_at" character varying(32) NOT NULL, CONSTRAINT "PK_8fc33d7b1d7185876358c27517b" PRIMARY KEY ("type", "agent_id"))`,
    );
    await q.query(
      `CREATE TABLE "alert_silences" ("id" character varying(36) NOT NULL, "agent_id" character varying(128), "starts_at" character varying(32) NOT NULL, "ends_at" character varying(32) NOT NULL, "reason" character varying(500) NOT NULL, "created_by" character varying(128) NOT NULL, "created_at" character varying(32) NOT NULL, CONSTRAINT "PK_0b3de53f7cdfac26d37720de79f" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "idx_alert_silences_ends_at" ON "alert_silences" ("ends_at")`);
    await q.query(
      `CREATE TABLE "alert_channels" ("id" character varying(36) NOT NULL, "name" character varying(128) NOT NULL, "type" character varying(16) NOT NULL, "enabled" boolean NOT NULL, "min_level" character varying(16) NOT NULL, "agent_ids" text, "repeat_interval" integer NOT NULL, "send_resolved" boolean NOT NULL, "url" character varying(2048), "email" text, "secret" character varying(1024), "last_success_at" character varying(32), "last_error" character varying(1024), "last_error_at" character varying(32), "created_at" character varying(32) NOT NULL, "updated_at" character varying(32) NOT NULL, CONSTRAINT "PK_da89e9de0358309fb2ec1617e65" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "alert_deliveries" ("id" character varying(36) NOT NULL, "channel_id" character varying(36) NOT NULL, "alert_id" character varying(36), "change" character varying(16) NOT NULL, "payload" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" bigint NOT NULL, "last_error" character varying(1024), "created_at" character varying(32) NOT NULL, "sent_at" character varying(32), CONSTRAINT "PK_b3d51c95891264fb62df41582ad" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "idx_alert_deliveries_channel_id" ON "alert_deliveries" ("channel_id")`,
    );
    await q.query(
      `CREATE INDEX "idx_alert_deliveries_due" ON "alert_deliveries" ("status", "next_attempt_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'alert_deliveries',
      'alert_channels',
      'alert_silences',
      'alert_rules',
      'alerts',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
