import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSqlite1764300000000 implements MigrationInterface {
  name = 'InitialSqlite1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "roles" ("id" varchar(64) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "description" varchar(512) NOT NULL DEFAULT (''), "permissions" text NOT NULL, "is_system" boolean NOT NULL DEFAULT (0), "created_at" varchar(32) NOT NULL, "updated_at" varchar(32) NOT NULL)`,
    );
    await q.query(
      `CREATE TABLE "users" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(128) NOT NULL, "username_key" varchar(128) NOT NULL, "email" varchar(254), "password_hash" varchar(255), "auth_provider" varchar(16) NOT NULL DEFAULT ('local'), "disabled" boolean NOT NULL DEFAULT (0), "created_at" varchar(32) NOT NULL, "updated_at" varchar(32) NOT NULL, "last_login" varchar(32))`,
    );
    await q.query(`CREATE UNIQUE INDEX "uq_users_username_key" ON "users" ("username_key")`);
    await q.query(
      `CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "token_hash" varchar(64) NOT NULL, "created_at" varchar(32) NOT NULL, "expires_at" varchar(32) NOT NULL, "last_seen_at" varchar(32) NOT NULL, "ip" varchar(64), "user_agent" varchar(512), CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await q.query(`CREATE INDEX "idx_sessions_user_id" ON "sessions" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" ("token_hash")`);
    await q.query(
      `CREATE TABLE "user_roles" ("user_id" varchar(36) NOT NULL, "role_id" varchar(64) NOT NULL, CONSTRAINT "FK_87b8888186ca9769c960e926870" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE, CONSTRAINT "FK_b23c65e50a758245a33ee35fda1" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE ON UPDATE CASCADE, PRIMARY KEY ("user_id", "role_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_87b8888186ca9769c960e92687" ON "user_roles" ("user_id")`);
    await q.query(`CREATE INDEX "IDX_b23c65e50a758245a33ee35fda" ON "user_roles" ("role_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "user_roles"`);
    await q.query(`DROP TABLE "sessions"`);
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TABLE "roles"`);
  }
}
