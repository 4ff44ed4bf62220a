import { existsSync } from 'node:fs';
import type * as Http from 'node:http';
import type { ContainerMetrics } from '@tyto/contracts';
import { asArray, asNumber, asObject, asString, at } from './json';
import { round2 } from './read';

/** Docker Engine API error with the engine's status code and message. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

/**
 * A minimal Docker Engine API client over the unix socket, on node:http. Unversioned paths let
 * the engine answer with its own API version; the fields read here exist since API 1.24.
 * node:http is loaded on the first request: hosts without Docker never pay its ~2.5 MB.
 */
export class DockerClient {
  private http: Promise<typeof Http> | null = null;
  private agent: Http.Agent | null = null;

  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async get(path: string): Promise<unknown> {
    const http = await (this.http ??= import('node:http'));
    const agent = (this.agent ??= new http.Agent({ keepAlive: true, maxSockets: 4 }));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          path,
          method: 'GET',
          agent,
          headers: { Host: 'docker' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let body: unknown;
            try {
              body = text === '' ? null : JSON.parse(text);
            } catch {
              body = text;
            }
            if (status >= 400) {
              const message =
                asString(at(body, 'message')) ?? (typeof body === 'string' ? body : '');
              reject(new DockerApiError(status, `Docker API ${status}: ${message.trim()}`));
            } else {
              resolve(body);
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new Error(`Docker API timed out after ${this.timeoutMs} ms`));
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

/** The CPU counters of a stats response (`cpu_stats` or `precpu_stats`). */
export interface DockerCpuStats {
  /** Container CPU time, ns. */
  total: number;
  /** Host CPU time, ns (all cores). */
  system: number;
  onlineCpus: number;
}

export function readCpuStats(
  stats: unknown,
  key: 'cpu_stats' | 'precpu_stats',
): DockerCpuStats | null {
  const total = asNumber(at(stats, key, 'cpu_usage', 'total_usage'));
  const system = asNumber(at(stats, key, 'system_cpu_usage'));
  // one-shot responses and the first stream frame carry an empty precpu_stats.
  if (total === undefined || system === undefined || system === 0) return null;
  const online =
    asNumber(at(stats, key, 'online_cpus')) ??
    asArray(at(stats, key, 'cpu_usage', 'percpu_usage')).length;
  return { total, system, onlineCpus: online > 0 ? online : 1 };
}

/**
 * CPU % the way `docker stats` computes it: the container's share of host CPU time over the
 * interval, scaled by the number of CPUs, so 100 means one full core.
 */
export function containerCpuPercent(cur: DockerCpuStats, prev: DockerCpuStats | null): number {
  if (!prev) return 0;
  const cpuDelta = cur.total - prev.total;
  const systemDelta = cur.system - prev.system;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return round2((cpuDelta / systemDelta) * cur.onlineCpus * 100);
}

/**
 * Memory use like `docker stats`: usage minus inactive page cache (cgroup v2 `inactive_file`,
 * v1 `total_inactive_file`), since the kernel reclaims that before OOM-killing anything.
 */
export function containerMemory(stats: unknown): { used: number; limit: number } {
  const usage = asNumber(at(stats, 'memory_stats', 'usage')) ?? 0;
  const inactive =
    asNumber(at(stats, 'memory_stats', 'stats', 'inactive_file')) ??
    asNumber(at(stats, 'memory_stats', 'stats', 'total_inactive_file')) ??
    0;
  return {
    used: inactive < usage ? usage - inactive : usage,
    limit: asNumber(at(stats, 'memory_stats', 'limit')) ?? 0,
  };
}

export function containerNetwork(stats: unknown): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const iface of Object.values(asObject(at(stats, 'networks')) ?? {})) {
    rx += asNumber(at(iface, 'rx_bytes')) ?? 0;
    tx += asNumber(at(iface, 'tx_bytes')) ?? 0;
  }
  return { rx, tx };
}

export function containerBlockIo(stats: unknown): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of asArray(at(stats, 'blkio_stats', 'io_service_bytes_recursive'))) {
    const op = asString(at(entry, 'op'))?.toLowerCase();
    const value = asNumber(at(entry, 'value')) ?? 0;
    if (op === 'read') read += value;
    else if (op === 'write') write += value;
  }
  return { read, write };
}

/** Builds one container's metrics from its list entry, inspect and stats responses. */
export function containerMetrics(
  summary: unknown,
  inspect: unknown,
  stats: unknown,
  cpu: number,
): ContainerMetrics {
  const id = asString(at(summary, 'Id')) ?? '';
  const name = asString(asArray(at(summary, 'Names'))[0]) ?? id.slice(0, 12);
  const memory = stats ? containerMemory(stats) : { used: 0, limit: 0 };
  const net = stats ? containerNetwork(stats) : { rx: 0, tx: 0 };
  const blk = stats ? containerBlockIo(stats) : { read: 0, write: 0 };
  return {
    id: id.slice(0, 12),
    name: name.replace(/^\//, ''),
    image: asString(at(summary, 'Image')) ?? '',
    status: asString(at(summary, 'Status')) ?? '',
    state: asString(at(summary, 'State')) ?? asString(at(inspect, 'State', 'Status')) ?? '',
    health: asString(at(inspect, 'State', 'Health', 'Status')) ?? null,
    restarts: asNumber(at(inspect, 'RestartCount')) ?? 0,
    cpu,
    memory: memory.used,
    memoryLimit: memory.limit,
    networkRx: net.rx,
    networkTx: net.tx,
    blockRead: blk.read,
    blockWrite: blk.write,
  };
}

export interface DockerState {
  containers: ContainerMetrics[];
  reason: string | null;
}

/**
 * Refreshes the container list on the slow cadence. `one-shot` stats return no precpu_stats, so
 * CPU % is computed against this reader's previous stats of the same container; the first
 * refresh therefore reports 0 for CPU, like any other rate on a first sample.
 */
export class DockerReader {
  private readonly previousCpu = new Map<string, DockerCpuStats>();

  constructor(
    private readonly client: DockerClient,
    private readonly concurrency = 4,
  ) {}

  async read(): Promise<DockerState> {
    if (!existsSync(this.client.socketPath)) {
      return { containers: [], reason: `Docker socket not found at ${this.client.socketPath}` };
    }
    let list: unknown;
    try {
      list = await this.client.get('/containers/json?all=1');
    } catch (err) {
      return { containers: [], reason: describeError(err, this.client.socketPath) };
    }
    const summaries = asArray(list);
    const seen = new Set<string>();
    const results = await mapLimit(summaries, this.concurrency, async (summary) => {
      const id = asString(at(summary, 'Id'));
      if (!id) return null;
      seen.add(id);
      const inspect = await this.client.get(`/containers/${id}/json`).catch(() => null);
      const running = asString(at(summary, 'State')) === 'running';
      const stats = running
        ? await this.client
            .get(`/containers/${id}/stats?stream=false&one-shot=true`)
            .catch(() => null)
        : null;
      const cur = stats ? readCpuStats(stats, 'cpu_stats') : null;
      let cpu = 0;
      if (cur) {
        cpu = containerCpuPercent(
          cur,
          readCpuStats(stats, 'precpu_stats') ?? this.previousCpu.get(id) ?? null,
        );
        this.previousCpu.set(id, cur);
      }
      return containerMetrics(summary, inspect, stats, cpu);
    });
    for (const id of this.previousCpu.keys()) if (!seen.has(id)) this.previousCpu.delete(id);
    return { containers: results.filter((c) => c !== null), reason: null };
  }
}

function describeError(err: unknown, socketPath: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `Docker socket not found at ${socketPath}`;
  if (code === 'EACCES')
    return `permission denied on ${socketPath} (add the user to the docker group)`;
  if (code === 'ECONNREFUSED') return `Docker engine not listening on ${socketPath}`;
  return err instanceof Error ? err.message : String(err);
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
