import type { MigrationInterface, QueryRunner } from 'typeorm';

// The agent registry: agents (with `local`), enrollment requests waiting for approval, and every
// client certificate issued (kept after its agent is deleted, for the CRL).
export class AgentsSqlite1764700000000 implements MigrationInterface {
  name = 'AgentsSqlite1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agent_certificates" ("serial" varchar(64) PRIMARY KEY NOT NULL, "agent_id" varchar(63) NOT NULL, "issued_at" varchar(32) NOT NULL, "not_after" varchar(32) NOT NULL, "revoked_at" varchar(32))`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_certificates_agent_id" ON "agent_certificates" ("agent_id")`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_certificates_revoked_at" ON "agent_certificates" ("revoked_at")`,
    );
    await q.query(
      `CREATE TABLE "agents" ("id" varchar(63) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "hostname" varchar(255), "os" varchar(64), "architecture" varchar(64), "version" varchar(64), "status" varchar(16) NOT NULL, "last_seen" varchar(32), "registered_at" varchar(32) NOT NULL, "cert_serial" varchar(64), "cert_expires_at" varchar(32), "revoked_at" varchar(32), "address" varchar(64), "enrollment_token_hash" varchar(64), "enrollment_token_expires_at" varchar(32))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_agents_enrollment_token_hash" ON "agents" ("enrollment_token_hash")`,
    );
    await q.query(
      `CREATE TABLE "agent_enrollment_requests" ("id" varchar(36) PRIMARY KEY NOT NULL, "agent_id" varchar(63) NOT NULL, "name" varchar(128) NOT NULL, "hostname" varchar(255) NOT NULL, "os" varchar(64) NOT NULL, "architecture" varchar(64) NOT NULL, "version" varchar(64) NOT NULL, "address" varchar(64), "public_key" text NOT NULL, "status" varchar(16) NOT NULL, "requested_at" varchar(32) NOT NULL, "expires_at" varchar(32) NOT NULL, "decided_at" varchar(32), "certificate" text)`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_enrollment_requests_agent_id" ON "agent_enrollment_requests" ("agent_id")`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_enrollment_requests_status" ON "agent_enrollment_requests" ("status")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent_enrollment_requests"`);
    await q.query(`DROP TABLE "agents"`);
    await q.query(`DROP TABLE "agent_certificates"`);
  }
}
