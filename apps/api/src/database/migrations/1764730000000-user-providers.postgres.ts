import type { MigrationInterface, QueryRunner } from 'typeorm';

// Users keyed by (auth_provider, external_id), usernames unique per provider, and the roles a
// provider gave. Existing (local) users get their id as external id.
export class UserProvidersPostgres1764730000000 implements MigrationInterface {
  name = 'UserProvidersPostgres1764730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "users" ADD "external_id" character varying(512) NOT NULL DEFAULT ''`,
    );
    await q.query(`ALTER TABLE "users" ADD "provider_roles" text`);
    await q.query(`UPDATE "users" SET "external_id" = "id"`);
    await q.query(`DROP INDEX "public"."uq_users_username_key"`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_users_provider_external_id" ON "users" ("auth_provider", "external_id") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_users_provider_username" ON "users" ("auth_provider", "username_key") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."uq_users_provider_username"`);
    await q.query(`DROP INDEX "public"."uq_users_provider_external_id"`);
    // Only local users fit the old, global username index.
    await q.query(`DELETE FROM "users" WHERE "auth_provider" <> 'local'`);
    await q.query(`CREATE UNIQUE INDEX "uq_users_username_key" ON "users" ("username_key") `);
    await q.query(`ALTER TABLE "users" DROP COLUMN "provider_roles"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "external_id"`);
  }
}
