import type { MetricsSnapshot } from '@tyto/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the exporter reads at scrape time; each is a cheap in-memory read. */
export interface HubMetricSources {
  samples(): readonly MetricsSnapshot[];
  sseClients(): number;
  passwordQueue(): { running: number; waiting: number };
  /** The database pool where the driver has one (PostgreSQL); null otherwise. */
  dbPool(): { total: number; idle: number; waiting: number } | null;
  /** Passes of each periodic job this replica ran under its lease. */
  jobPasses(): ReadonlyMap<string, number>;
  /** Bus events sent to and received from other replicas; null without Redis. */
  bridge(): { sent: number; received: number; sentBytes: number; receivedBytes: number } | null;
}

type HttpChildren = { count: Counter.Internal; duration: Histogram.Internal<string> };

/**
 * The hub's Prometheus registry (its own, not prom-client's global one, so several hubs in one
 * process, as in the tests, do not collide). Host metrics are computed from the newest sample of
 * each agent when scraped, never per sample.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** method → route → status → label children, so a request allocates nothing to be counted. */
  private readonly http = new Map<string, Map<string, Map<number, HttpChildren>>>();

  constructor(sources: HubMetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tyto_' });

    const labels = ['method', 'route', 'status'] as const;
    this.httpRequests = new Counter({
      name: 'tyto_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: labels,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'tyto_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames: labels,
      registers,
    });

    new Gauge({
      name: 'tyto_sse_clients',
      help: 'Open live-metrics streams (SSE)',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
    new Gauge({
      name: 'tyto_password_hash_queue',
      help: 'Password hashes running or waiting for a slot',
      labelNames: ['state'],
      registers,
      collect() {
        const load = sources.passwordQueue();
        this.set({ state: 'running' }, load.running);
        this.set({ state: 'waiting' }, load.waiting);
      },
    });
    new Gauge({
      name: 'tyto_job_passes',
      help: 'Passes of each periodic job (lease) this replica ran since it started',
      labelNames: ['job'],
      registers,
      collect() {
        this.reset();
        for (const [job, n] of sources.jobPasses()) this.set({ job }, n);
      },
    });
    if (sources.bridge()) {
      new Gauge({
        name: 'tyto_bus_bridge_messages',
        help: 'Bus events this replica sent to or received from the others through Redis',
        labelNames: ['direction'],
        registers,
        collect() {
          const b = sources.bridge();
          if (!b) return;
          this.set({ direction: 'sent' }, b.sent);
          this.set({ direction: 'received' }, b.received);
        },
      });
      new Gauge({
        name: 'tyto_bus_bridge_bytes',
        help: 'Bytes of bus events this replica sent to or received from the others',
        labelNames: ['direction'],
        registers,
        collect() {
          const b = sources.bridge();
          if (!b) return;
          this.set({ direction: 'sent' }, b.sentBytes);
          this.set({ direction: 'received' }, b.receivedBytes);
        },
      });
    }
    if (sources.dbPool()) {
      new Gauge({
        name: 'tyto_db_pool_connections',
        help: 'Database pool connections by state',
        labelNames: ['state'],
        registers,
        collect() {
          const pool = sources.dbPool();
          if (!pool) return;
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'active' }, pool.total - pool.idle);
        },
      });
      new Gauge({
        name: 'tyto_db_pool_waiting_clients',
        help: 'Queries waiting for a database pool connection',
        registers,
        collect() {
          this.set(sources.dbPool()?.waiting ?? 0);
        },
      });
    }

    const perAgent = (name: string, help: string, value: (s: MetricsSnapshot) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['agent_id'],
        registers,
        collect() {
          // Reset first: an agent whose samples stopped arriving drops out of the next scrape.
          this.reset();
          for (const s of sources.samples()) this.set({ agent_id: s.agent_id }, value(s));
        },
      });
    };
    const perItem = <T>(
      name: string,
      help: string,
      label: string,
      items: (s: MetricsSnapshot) => readonly T[],
      key: (item: T) => string,
      value: (item: T) => number,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['agent_id', label],
        registers,
        collect() {
          this.reset();
          for (const s of sources.samples()) {
            for (const item of items(s)) {
              this.set({ agent_id: s.agent_id, [label]: key(item) }, value(item));
            }
          }
        },
      });
    };

    perAgent('tyto_cpu_usage_percent', 'CPU usage of the host, 0-100', (s) => s.cpu.totalUsage);
    perAgent('tyto_memory_used_bytes', 'Memory in use on the host', (s) => s.memory.used);
    perAgent('tyto_memory_total_bytes', 'Memory of the host', (s) => s.memory.total);
    perAgent('tyto_load1', 'Load average over one minute', (s) => s.cpu.loadAverage.one);
    perAgent(
      'tyto_sample_timestamp_seconds',
      'Time of the newest sample of the host (Unix seconds)',
      (s) => Date.parse(s.timestamp) / 1000,
    );
    const mounts = (s: MetricsSnapshot) => s.disk.mounts;
    perItem(
      'tyto_disk_used_bytes',
      'Space used on a mounted filesystem',
      'mountpoint',
      mounts,
      (m) => m.mountpoint,
      (m) => m.used,
    );
    perItem(
      'tyto_disk_total_bytes',
      'Size of a mounted filesystem',
      'mountpoint',
      mounts,
      (m) => m.mountpoint,
      (m) => m.total,
    );
    const nics = (s: MetricsSnapshot) => s.network.interfaces;
    perItem(
      'tyto_network_receive_bytes_per_second',
      'Bytes received per second',
      'interface',
      nics,
      (n) => n.name,
      (n) => n.rxRate,
    );
    perItem(
      'tyto_network_transmit_bytes_per_second',
      'Bytes sent per second',
      'interface',
      nics,
      (n) => n.name,
      (n) => n.txRate,
    );
  }

  /** Counts one answered request; `route` is the route pattern, never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.http.get(method);
    if (!byRoute) this.http.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let children = byStatus.get(status);
    if (!children) {
      const values = [method, route, String(status)];
      children = {
        count: this.httpRequests.labels(...values),
        duration: this.httpDuration.labels(...values),
      };
      byStatus.set(status, children);
    }
    children.count.inc();
    children.duration.observe(seconds);
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
