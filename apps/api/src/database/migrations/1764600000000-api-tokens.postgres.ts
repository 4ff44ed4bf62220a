import type { MigrationInterface, QueryRunner } from 'typeorm';

// API tokens (service accounts): hashed bearer tokens holding a subset of their owner's grants.
export class ApiTokensPostgres1764600000000 implements MigrationInterface {
  name = 'ApiTokensPostgres1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "api_tokens" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "name" character varying(128) NOT NULL, "token_hash" character varying(64) NOT NULL, "permissions" text NOT NULL, "created_at" character varying(32) NOT NULL, "expires_at" character varying(32), "last_used_at" character varying(32), "revoked_at" character varying(32), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "idx_api_tokens_user_id" ON "api_tokens" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "uq_api_tokens_token_hash" ON "api_tokens" ("token_hash")`);
    await q.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "api_tokens"`);
  }
}
