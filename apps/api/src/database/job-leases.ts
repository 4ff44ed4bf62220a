import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';

/** A held lease: its fencing token, which goes up each time the lease changes hands. */
export interface Lease {
  name: string;
  token: number;
}

/**
 * Leases for periodic jobs (rollups, retention, purges), so that of several hub replicas on one
 * database exactly one runs each job at a time. A job asks for its lease at the start of every
 * pass for a little over its period: the holder keeps it by asking again, and when it stops
 * asking (stopped, crashed, partitioned) another replica takes it over once it expires, with
 * the next fencing token. A replica that lost its lease finds out at its next pass, or earlier
 * through `stillHeld`, which a job calls before each write so a stale holder writes nothing.
 */
@Injectable()
export class JobLeases implements BeforeApplicationShutdown {
  /** This replica, as it appears in `job_leases.holder`. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly held = new Set<string>();
  /** Passes this replica ran per lease (each `hold` it won), for /metrics and the HA tests. */
  readonly passes = new Map<string, number>();

  constructor(private readonly ds: DataSource) {}

  /** Takes or renews `name` for `ttlMs`; null while another replica holds it. */
  async hold(name: string, ttlMs: number, now = Date.now()): Promise<Lease | null> {
    const expires = new Date(now + ttlMs).toISOString();
    const nowIso = new Date(now).toISOString();
    // One statement, so two replicas asking at once cannot both win.
    const rows = (await this.ds.query(
      this.ds.options.type === 'postgres'
        ? `INSERT INTO job_leases (name, holder, token, expires_at) VALUES ($1, $2, 1, $3)
           ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
             token = CASE WHEN job_leases.holder = EXCLUDED.holder THEN job_leases.token ELSE job_leases.token + 1 END
           WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < $4
           RETURNING token`
        : `INSERT INTO job_leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
             token = CASE WHEN job_leases.holder = excluded.holder THEN job_leases.token ELSE job_leases.token + 1 END
           WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < ?
           RETURNING token`,
      [name, this.holder, expires, nowIso],
    )) as { token: number | string }[];
    if (rows.length === 0) {
      this.held.delete(name);
      return null;
    }
    this.held.add(name);
    this.passes.set(name, (this.passes.get(name) ?? 0) + 1);
    return { name, token: Number(rows[0].token) };
  }

  /** Whether `lease` is still this replica's, unexpired: the fencing check before a write. */
  async stillHeld(lease: Lease, now = Date.now()): Promise<boolean> {
    const p = this.ds.options.type === 'postgres' ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
    const rows = (await this.ds.query(
      `SELECT 1 AS ok FROM job_leases WHERE name = ${p[0]} AND holder = ${p[1]} AND token = ${p[2]} AND expires_at >= ${p[3]}`,
      [lease.name, this.holder, lease.token, new Date(now).toISOString()],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Gives `name` up at once, so another replica need not wait for it to expire. */
  async release(name: string): Promise<void> {
    const p = this.ds.options.type === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
    await this.ds.query(
      `UPDATE job_leases SET expires_at = ${p[0]} WHERE name = ${p[1]} AND holder = ${p[2]}`,
      [new Date(0).toISOString(), name, this.holder],
    );
    this.held.delete(name);
  }

  // While the database is still open (TypeORM closes it in its application-shutdown hook). A
  // job's last pass that is still running meets the fencing check and stops writing.
  async beforeApplicationShutdown(): Promise<void> {
    for (const name of [...this.held]) await this.release(name).catch(() => undefined);
  }
}
