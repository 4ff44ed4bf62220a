import type { MigrationInterface, QueryRunner } from 'typeorm';

// API tokens (service accounts): hashed bearer tokens holding a subset of their owner's grants.
export class ApiTokensSqlite1764600000000 implements MigrationInterface {
  name = 'ApiTokensSqlite1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "api_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "name" varchar(128) NOT NULL, "token_hash" varchar(64) NOT NULL, "permissions" text NOT NULL, "created_at" varchar(32) NOT NULL, "expires_at" varchar(32), "last_used_at" varchar(32), "revoked_at" varchar(32), CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await q.query(`CREATE INDEX "idx_api_tokens_user_id" ON "api_tokens" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "uq_api_tokens_token_hash" ON "api_tokens" ("token_hash")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "api_tokens"`);
  }
}
