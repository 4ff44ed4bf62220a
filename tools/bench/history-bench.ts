// History query benchmark: loads 30 days of rolled-up history for 100 hosts into a fresh SQLite
// and a fresh PostgreSQL database through the hub's own repository, then times single-host
// history queries through the hub's own query service (database read, shaping, JSON encoding).
//
//   node tools/build/build-node.mjs tools/bench/history-bench.ts dist/tools/history-bench.js \
//     apps/api/tsconfig.app.json && node dist/tools/history-bench.js
//
// Options: --hosts 100 --days 30 --queries 200 --only sqlite|postgres --keep
//          --pg postgres://postgres@127.0.0.1:5432/postgres (a server where it may create a database)
import 'reflect-metadata';
import { HOST_SERIES, type HistoryResolution, type MetricsSnapshot } from '@tyto/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../apps/api/src/common/config';
import { dataSourceOptions, openDataSource } from '../../apps/api/src/database/data-source';
import { HistoryQueryService } from '../../apps/api/src/history/history-query.service';
import { HistoryReadRepository } from '../../apps/api/src/history/history-read.repository';
import { HistoryRepository } from '../../apps/api/src/history/history.repository';
import {
  ENTITY_GROUPS,
  floorTo,
  sampleFromSnapshot,
  type Bucket,
  type EntityStats,
  type ProcessEntry,
  type RawSample,
} from '../../apps/api/src/history/history-series';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const HOSTS = Number(arg('hosts', '100'));
const DAYS = Number(arg('days', '30'));
const QUERIES = Number(arg('queries', '200'));
const PG_URL = arg('pg', 'postgres://postgres@127.0.0.1:5432/postgres');
const ONLY = arg('only', '');
/** Leave the databases in place afterwards, to look at query plans. */
const KEEP = process.argv.includes('--keep');
const SAMPLE_SECONDS = 5;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = Date.now();

// A deterministic generator: every run loads the same numbers.
let seed = 42;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const around = (centre: number, spread: number) => centre + (rand() - 0.5) * 2 * spread;

const MOUNTS = ['/', '/home', '/var/lib/docker', '/data'];
const DISKS = ['nvme0n1', 'sda'];
const NICS = ['lo', 'eth0', 'docker0', 'wg0'];
const COMMANDS = [
  '/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main -c config_file=/etc/postgresql',
  '/usr/bin/node /srv/app/dist/main.js --port 3000 --log-level info --max-old-space-size=2048',
  '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock',
  '/usr/sbin/nginx -g daemon on; master_process on;',
  '/usr/bin/python3 /opt/worker/run.py --queue default --concurrency 8 --token=[redacted]',
  '/usr/lib/jvm/java-17/bin/java -Xmx4g -jar /opt/elasticsearch/lib/elasticsearch.jar',
  '/usr/bin/containerd',
  '/lib/systemd/systemd-journald',
  '/usr/bin/redis-server 127.0.0.1:6379',
  '/usr/sbin/sshd -D',
];

/** A full snapshot with realistic section sizes (what a Linux server with Docker reports). */
function snapshotAt(agentId: string, ts: number): MetricsSnapshot {
  const topProcess = (i: number) => ({
    pid: 1000 + i * 37,
    name: COMMANDS[i].split(' ')[0].split('/').pop() ?? 'proc',
    user: i % 3 ? 'root' : 'www-data',
    cpu: around(20 / (i + 1), 5),
    memory: Math.round(around(8e8 / (i + 1), 1e7)),
    command: COMMANDS[i],
  });
  const procs = COMMANDS.map((_, i) => topProcess(i));
  return {
    timestamp: new Date(ts).toISOString(),
    agent_id: agentId,
    system: {
      hostname: agentId,
      kernel: '6.1.0-18-amd64',
      os: 'Debian GNU/Linux 12 (bookworm)',
      architecture: 'x64',
      uptime: 1e6,
      bootTime: new Date(ts - 1e9).toISOString(),
    },
    cpu: {
      model: 'AMD EPYC 7443P 24-Core Processor',
      cores: Array.from({ length: 8 }, (_, id) => ({ id, usage: around(30, 20), frequency: 2850 })),
      totalUsage: around(30, 20),
      user: 20,
      system: 8,
      iowait: 1,
      steal: 0,
      idle: 71,
      loadAverage: { one: around(2, 1), five: 2, fifteen: 2 },
    },
    memory: {
      total: 64e9,
      used: 30e9,
      free: 34e9,
      available: 34e9,
      buffers: 1e9,
      cached: 10e9,
      usedPercent: around(47, 5),
      swapTotal: 4e9,
      swapUsed: 1e8,
      swapFree: 3.9e9,
      swapPercent: around(2.5, 1),
    },
    disk: {
      mounts: MOUNTS.map((mountpoint, i) => ({
        device: `/dev/nvme0n1p${i + 1}`,
        mountpoint,
        fstype: 'ext4',
        total: 5e11,
        used: 2e11,
        free: 3e11,
        usedPercent: around(40 + i * 10, 1),
        inodesTotal: 3e7,
        inodesUsed: 1e6,
        inodesPercent: 3.3,
      })),
      io: DISKS.map((device) => ({
        device,
        readBytes: 1e12,
        writeBytes: 2e12,
        readRate: around(4e6, 3e6),
        writeRate: around(8e6, 5e6),
        readOps: 100,
        writeOps: 200,
        utilization: 12,
      })),
    },
    network: {
      interfaces: NICS.map((name) => ({
        name,
        ipv4: '10.0.0.5',
        ipv6: null,
        mac: '02:42:ac:11:00:02',
        speed: 10000,
        up: true,
        rxBytes: 1e12,
        txBytes: 1e12,
        rxRate: around(2e6, 1e6),
        txRate: around(1e6, 5e5),
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      })),
      connectionCount: 240,
      connectionsByState: { ESTABLISHED: 200, LISTEN: 20, TIME_WAIT: 20 },
    },
    processes: {
      total: 412,
      running: 3,
      topByCpu: [...procs].sort((a, b) => b.cpu - a.cpu),
      topByMemory: [...procs].sort((a, b) => b.memory - a.memory),
    },
    temperature: {
      available: true,
      sensors: ['Tctl', 'nvme', 'acpitz'].map((name) => ({
        name,
        value: around(55, 10),
        high: 90,
        critical: 100,
      })),
    },
    gpu: {
      available: true,
      gpus: [
        {
          index: 0,
          name: 'NVIDIA L4',
          vendor: 'nvidia',
          utilization: around(50, 40),
          memoryUsed: 8e9,
          memoryTotal: 24e9,
          temperature: 60,
          powerWatts: 55,
        },
      ],
    },
    docker: { available: true, containers: [] },
    systemd: { available: true, services: [] },
  };
}

function rawSample(agentId: string, ts: number): RawSample {
  const s = sampleFromSnapshot(snapshotAt(agentId, ts));
  if (!s) throw new Error('unusable sample');
  return s;
}

/** A rolled-up bucket with plausible statistics, built directly (a rollup of a 1h bucket would
 * need 720 raw samples; the benchmark measures reads, not the rollups). */
function bucketAt(agentId: string, ts: number, withProcesses: boolean): Bucket {
  const stat = (centre: number, spread: number): [number, number, number] => {
    const avg = around(centre, spread / 2);
    return [avg, avg - rand() * spread, avg + rand() * spread];
  };
  const centres: Record<(typeof HOST_SERIES)[number], [number, number]> = {
    cpu: [30, 20],
    memory: [47, 5],
    swap: [2.5, 1],
    load: [2, 1],
    temperature: [55, 10],
    gpu: [50, 40],
    disk_read: [8e6, 6e6],
    disk_write: [16e6, 10e6],
    net_rx: [6e6, 3e6],
    net_tx: [3e6, 1.5e6],
  };
  const names: Record<(typeof ENTITY_GROUPS)[number], string[]> = {
    disk: MOUNTS,
    read: DISKS,
    write: DISKS,
    rx: NICS,
    tx: NICS,
  };
  const entities: EntityStats = {};
  for (const group of ENTITY_GROUPS) {
    entities[group] = Object.fromEntries(
      names[group].map((n) => [n, [...stat(group === 'disk' ? 50 : 2e6, 10), 12]]),
    );
  }
  const top = (by: 3 | 4): ProcessEntry[] =>
    COMMANDS.slice(0, 5).map((c, i) => [
      1000 + i,
      c.split(' ')[0].split('/').pop() ?? 'p',
      'root',
      by === 3 ? 90 - i * 10 : 5,
      by === 4 ? 8e8 - i * 1e8 : 1e7,
      c.slice(0, 100),
    ]);
  return {
    agentId,
    ts,
    samples: withProcesses ? 12 : ts % HOUR === 0 ? 720 : 60,
    stats: HOST_SERIES.map((s) => stat(...centres[s])),
    entities,
    processes: withProcesses ? { cpu: top(3), memory: top(4) } : null,
  };
}

interface Db {
  kind: 'sqlite' | 'postgres';
  url: string | null;
  dir: string;
  drop(): Promise<void>;
}

async function freshDb(kind: Db['kind']): Promise<Db> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-history-bench-'));
  if (kind === 'sqlite') {
    return {
      kind,
      url: null,
      dir,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `tyto_history_bench_${process.pid}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    dir,
    drop: async () => {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const agentName = (h: number) => `host-${String(h).padStart(3, '0')}`;

/** Rows per write: the writer and the rollups interleave every agent, so rows are loaded in time
 * order across hosts, not host by host (which would cluster each host's rows unrealistically). */
const BATCH = 2000;

async function loadRaw(repo: HistoryRepository): Promise<number> {
  let batch: RawSample[] = [];
  let rows = 0;
  for (let t = now - HOUR; t < now; t += SAMPLE_SECONDS * 1000) {
    for (let h = 0; h < HOSTS; h++) batch.push(rawSample(agentName(h), t));
    if (batch.length >= BATCH) {
      await repo.insertSamples(batch);
      rows += batch.length;
      batch = [];
    }
  }
  await repo.insertSamples(batch);
  return rows + batch.length;
}

async function loadTier(repo: HistoryRepository, tier: '1m' | '1h'): Promise<number> {
  const step = tier === '1m' ? MIN : HOUR;
  let batch: Bucket[] = [];
  let rows = 0;
  for (let t = floorTo(now - (tier === '1m' ? DAY : DAYS * DAY), step); t < now; t += step) {
    for (let h = 0; h < HOSTS; h++) batch.push(bucketAt(agentName(h), t, tier === '1m'));
    if (batch.length >= BATCH) {
      await repo.upsertBuckets(tier, batch);
      rows += batch.length;
      batch = [];
    }
  }
  await repo.upsertBuckets(tier, batch);
  return rows + batch.length;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(
  service: HistoryQueryService,
  resolution: HistoryResolution,
  rangeMs: number,
  metrics?: string,
): Promise<{ median: number; p95: number; points: number }> {
  const times: number[] = [];
  let points = 0;
  for (let i = 0; i < QUERIES + 20; i++) {
    const agent = agentName(Math.floor(rand() * HOSTS));
    const to = now - rand() * MIN;
    const q = {
      agent_id: agent,
      resolution,
      from: new Date(to - rangeMs).toISOString(),
      to: new Date(to).toISOString(),
      metrics: metrics?.split(','),
    };
    const t0 = performance.now();
    const res = await service.history(q, now);
    JSON.stringify(res);
    const elapsed = performance.now() - t0;
    // The first 20 warm caches and the JIT; they are not counted.
    if (i >= 20) times.push(elapsed);
    points = res.data.length;
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95), points };
}

async function rawBytesPerSample(ds: DataSource, kind: Db['kind'], rows: number): Promise<number> {
  const tables = ['history_raw', 'history_detail'];
  if (kind === 'sqlite') {
    // history_raw is WITHOUT ROWID (its key is the table); history_detail has a key index.
    const [{ bytes }] = (await ds.query(
      `SELECT SUM(pgsize) AS bytes FROM dbstat
       WHERE name IN ('history_raw', 'history_detail', 'sqlite_autoindex_history_detail_1')`,
    )) as { bytes: number }[];
    return bytes / rows;
  }
  await ds.query('VACUUM ANALYZE history_raw, history_detail');
  const [{ bytes }] = (await ds.query(
    `SELECT ${tables.map((t) => `pg_total_relation_size('${t}')`).join(' + ')} AS bytes`,
  )) as { bytes: string }[];
  return Number(bytes) / rows;
}

/** What one raw sample carries: key, ten 4-byte reals and the two JSON columns. */
function rawPayloadBytes(): { avg: number; max: number } {
  const sizes = Array.from({ length: 100 }, (_, i) => {
    const s = rawSample('host-000', now - i * 5000);
    const json = (v: object) => (Object.keys(v).length ? Buffer.byteLength(JSON.stringify(v)) : 0);
    return 'host-000'.length + 8 + HOST_SERIES.length * 4 + json(s.entities) + json(s.processes);
  });
  return { avg: sizes.reduce((a, b) => a + b, 0) / sizes.length, max: Math.max(...sizes) };
}

async function run(kind: Db['kind']): Promise<void> {
  const db = await freshDb(kind);
  const config = loadConfig(
    { TYTO_DATA_DIR: db.dir, TYTO_DATABASE_URL: db.url ?? '', TYTO_SAMPLE_INTERVAL: '5' },
    null,
  );
  const ds = await openDataSource(dataSourceOptions(config));
  try {
    const reads = new HistoryReadRepository(ds);
    const repo = new HistoryRepository(ds, reads);
    const service = new HistoryQueryService(reads, config);
    const started = performance.now();
    let rows = await loadRaw(repo);
    // Measured before the tiers share history_detail with it.
    const rawBytes = await rawBytesPerSample(ds, kind, rows);
    rows += await loadTier(repo, '1m');
    rows += await loadTier(repo, '1h');
    const seconds = (performance.now() - started) / 1000;
    // What autovacuum does on its own within minutes (the history tables are tuned to vacuum
    // every 10,000 inserts): PostgreSQL's index-only scans need the visibility map it sets.
    await ds.query(kind === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE');
    console.log(
      `\n${kind}: loaded ${rows.toLocaleString('en')} rows (${HOSTS} hosts: ${DAYS} d at 1h, 24 h at 1m, 1 h raw at ${SAMPLE_SECONDS} s) in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `stored bytes per raw sample (numbers + detail, with their key indexes): ${rawBytes.toFixed(0)}`,
    );
    console.log('| query | points | median ms | p95 ms |');
    console.log('| --- | --- | --- | --- |');
    // The default selection (cpu, memory), then every host series at once.
    for (const [label, resolution, range, metrics] of [
      ['1 h raw', 'raw', HOUR, undefined],
      ['24 h at 1m', '1m', DAY, undefined],
      [`${DAYS} d at 1h`, '1h', DAYS * DAY, undefined],
      ['24 h at 1m, all 10 host series', '1m', DAY, HOST_SERIES.join(',')],
    ] as const) {
      const r = await measure(service, resolution, range, metrics);
      console.log(`| ${label} | ${r.points} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} |`);
    }
  } finally {
    await ds.destroy();
    if (KEEP) console.log(`kept: ${db.url ?? path.join(db.dir, 'tyto.db')}`);
    else await db.drop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`);
  const payload = rawPayloadBytes();
  console.log(
    `raw sample payload: ${payload.avg.toFixed(0)} bytes on average, ${payload.max} at most`,
  );
  for (const kind of ['sqlite', 'postgres'] as const) {
    if (!ONLY || ONLY === kind) await run(kind);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
