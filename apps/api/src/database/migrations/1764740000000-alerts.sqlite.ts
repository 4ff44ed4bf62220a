import type { MigrationInterface, QueryRunner } from 'typeorm';

// Alerts: alerts (active and history), rules, silences, notification channels and their queue.
export class AlertsSqlite1764740000000 implements MigrationInterface {
  name = 'AlertsSqlite1764740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "alerts" ("id" varchar(36) PRIMARY KEY NOT NULL, "agent_id" varchar(128) NOT NULL, "type" varchar(32) NOT NULL, "subject" varchar(255) NOT NULL, "level" varchar(16) NOT NULL, "value" real NOT NULL, "threshold" real, "message" varchar(512) NOT NULL, "created_at" varchar(32) NOT NULL, "updated_at" varchar(32) NOT NULL, "resolved_at" varchar(32), "acknowledged_at" varchar(32), "acknowledged_by" varchar(128), "silenced" boolean NOT NULL DEFAULT (0))`,
    );
    await q.query(`CREATE INDEX "idx_alerts_created_at" ON "alerts" ("created_at")`);
    await q.query(`CREATE INDEX "idx_alerts_active" ON "alerts" ("resolved_at", "agent_id")`);
    await q.query(
      `CREATE TABLE "alert_rules" ("type" varchar(32) NOT NULL, "agent_id" varchar(128) NOT NULL, "enabled" boolean NOT NULL, "warning" real, "critical" real, "for_seconds" integer NOT NULL, "hysteresis" real NOT NULL, "level" varchar(16) NOT NULL, "intervals" integer NOT NULL, "updated_at" varchar(32) NOT NULL, PRIMARY KEY ("type", "agent_id"))`,
    );
    await q.query(
      `CREATE TABLE "alert_silences" ("id" varchar(36) PRIMARY KEY NOT NULL, "agent_id" varchar(128), "starts_at" varchar(32) NOT NULL, "ends_at" varchar(32) NOT NULL, "reason" varchar(500) NOT NULL, "created_by" varchar(128) NOT NULL, "created_at" varchar(32) NOT NULL)`,
    );
    await q.query(`CREATE INDEX "idx_alert_silences_ends_at" ON "alert_silences" ("ends_at")`);
    await q.query(
      `CREATE TABLE "alert_channels" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "type" varchar(16) NOT NULL, "enabled" boolean NOT NULL, "min_level" varchar(16) NOT NULL, "agent_ids" text, "repeat_interval" integer NOT NULL, "send_resolved" boolean NOT NULL, "url" varchar(2048), "email" text, "secret" varchar(1024), "last_success_at" varchar(32), "last_error" varchar(1024), "last_error_at" varchar(32), "created_at" varchar(32) NOT NULL, "updated_at" varchar(32) NOT NULL)`,
    );
    await q.query(
      `CREATE TABLE "alert_deliveries" ("id" varchar(36) PRIMARY KEY NOT NULL, "channel_id" varchar(36) NOT NULL, "alert_id" varchar(36), "change" varchar(16) NOT NULL, "payload" text NOT NULL, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" bigint NOT NULL, "last_error" varchar(1024), "created_at" varchar(32) NOT NULL, "sent_at" varchar(32))`,
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
