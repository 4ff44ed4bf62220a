import type { MigrationInterface, QueryRunner } from 'typeorm';

// Leases for periodic jobs, so that of several replicas on one database one runs each job.
export class JobLeasesPostgres1764760000000 implements MigrationInterface {
  name = 'JobLeasesPostgres1764760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "job_leases" ("name" character varying(64) NOT NULL, "holder" character varying(128) NOT NULL, "token" integer NOT NULL, "expires_at" character varying(32) NOT NULL, CONSTRAINT "PK_job_leases_name" PRIMARY KEY ("name"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "job_leases"`);
  }
}
