import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { RedisBusBridge } from '../common/bus.module';
import { RedisConnections } from '../common/redis';
import { JobLeases } from '../database/job-leases';
import { LatestSamplesService } from '../metrics/latest-samples.service';
import { StreamHub } from '../metrics/stream-hub.service';
import { PasswordService } from '../users/password.service';
import { HubMetrics } from './hub-metrics';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const isPgPool = (pool: unknown): pool is PgPool =>
  typeof pool === 'object' && pool !== null && typeof (pool as PgPool).totalCount === 'number';

/** The hub's metrics for Prometheus, fed by the services that own each number. */
@Injectable()
export class PrometheusService {
  readonly metrics: HubMetrics;

  constructor(
    latest: LatestSamplesService,
    streams: StreamHub,
    passwords: PasswordService,
    @InjectDataSource() db: DataSource,
    leases: JobLeases,
    bridge: RedisBusBridge,
    redis: RedisConnections,
  ) {
    // TypeORM's PostgreSQL driver keeps its pg.Pool as `master`; SQLite has no pool.
    const pool = () => {
      const master = (db.driver as unknown as { master?: unknown }).master;
      return isPgPool(master)
        ? { total: master.totalCount, idle: master.idleCount, waiting: master.waitingCount }
        : null;
    };
    this.metrics = new HubMetrics({
      samples: () => latest.all(),
      sseClients: () => streams.clientCount,
      passwordQueue: () => passwords.load,
      jobPasses: () => leases.passes,
      bridge: () => (redis.enabled ? bridge.counters : null),
      dbPool:
        db.options.type === 'postgres'
          ? () => pool() ?? { total: 0, idle: 0, waiting: 0 }
          : () => null,
    });
  }

  /** Counts every answered request by route pattern (`/api/v1/users/:id`), not by raw URL. */
  installHttpHook(fastify: FastifyInstance): void {
    const metrics = this.metrics;
    fastify.addHook('onResponse', (req, reply, done) => {
      metrics.observeRequest(
        req.method,
        req.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
