import type { MigrationInterface, QueryRunner } from 'typeorm';

// Users keyed by (auth_provider, external_id), usernames unique per provider, and the roles a
// provider gave. Columns are added in place: rebuilding `users` would cascade its DROP to
// sessions, user_roles and api_tokens. Existing (local) users get their id as external id.
export class UserProvidersSqlite1764730000000 implements MigrationInterface {
  name = 'UserProvidersSqlite1764730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "users" ADD COLUMN "external_id" varchar(512) NOT NULL DEFAULT ('')`,
    );
    await q.query(`ALTER TABLE "users" ADD COLUMN "provider_roles" text`);
    await q.query(`UPDATE "users" SET "external_id" = "id"`);
    await q.query(`DROP INDEX "uq_users_username_key"`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_users_provider_external_id" ON "users" ("auth_provider", "external_id") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_users_provider_username" ON "users" ("auth_provider", "username_key") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "uq_users_provider_username"`);
    await q.query(`DROP INDEX "uq_users_provider_external_id"`);
    // Only local users fit the old, global username index.
    await q.query(`DELETE FROM "users" WHERE "auth_provider" <> 'local'`);
    await q.query(`CREATE UNIQUE INDEX "uq_users_username_key" ON "users" ("username_key") `);
    await q.query(`ALTER TABLE "users" DROP COLUMN "provider_roles"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "external_id"`);
  }
}
