import type { MigrationInterface, QueryRunner } from 'typeorm';

// Leases for periodic jobs, so that of several replicas on one database one runs each job.
export class JobLeasesSqlite1764760000000 implements MigrationInterface {
  name = 'JobLeasesSqlite1764760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "job_leases" ("name" varchar(64) PRIMARY KEY NOT NULL, "holder" varchar(128) NOT NULL, "token" integer NOT NULL, "expires_at" varchar(32) NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "job_leases"`);
  }
}
