import type { MigrationInterface, QueryRunner } from 'typeorm';

// The agent registry: agents (with `local`), enrollment requests waiting for approval, and every
// client certificate issued (kept after its agent is deleted, for the CRL).
export class AgentsPostgres1764700000000 implements MigrationInterface {
  name = 'AgentsPostgres1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agent_certificates" ("serial" character varying(64) NOT NULL, "agent_id" character varying(63) NOT NULL, "issued_at" character varying(32) NOT NULL, "not_after" character varying(32) NOT NULL, "revoked_at" character varying(32), CONSTRAINT "PK_b3f6f7ccfada28fd6bf3eb69672" PRIMARY KEY ("serial"))`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_certificates_agent_id" ON "agent_certificates" ("agent_id")`,
    );
    await q.query(
      `CREATE INDEX "idx_agent_certificates_revoked_at" ON "agent_certificates" ("revoked_at")`,
    );
    await q.query(
      `CREATE TABLE "agents" ("id" character varying(63) NOT NULL, "name" character varying(128) NOT NULL, "hostname" character varying(255), "os" character varying(64), "architecture" character varying(64), "version" character varying(64), "status" character varying(16) NOT NULL, "last_seen" character varying(32), "registered_at" character varying(32) NOT NULL, "cert_serial" character varying(64), "cert_expires_at" character varying(32), "revoked_at" character varying(32), "address" character varying(64), "enrollment_token_hash" character varying(64), "enrollment_token_expires_at" character varying(32), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_agents_enrollment_token_hash" ON "agents" ("enrollment_token_hash")`,
    );
    await q.query(
      `CREATE TABLE "agent_enrollment_requests" ("id" character varying(36) NOT NULL, "agent_id" character varying(63) NOT NULL, "name" character varying(128) NOT NULL, "hostname" character varying(255) NOT NULL, "os" character varying(64) NOT NULL, "architecture" character varying(64) NOT NULL, "version" character varying(64) NOT NULL, "address" character varying(64), "public_key" text NOT NULL, "status" character varying(16) NOT NULL, "requested_at" character varying(32) NOT NULL, "expires_at" character varying(32) NOT NULL, "decided_at" character varying(32), "certificate" text, CONSTRAINT "PK_cb7fe51ee404272ecb78e9bc4e3" PRIMARY KEY ("id"))`,
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
