/**
 * Collector benchmark: CPU and wall time per full sample (slow sections off) for the procfs
 * collector and for systeminformation, at the current process count and at ~500 processes, the
 * RSS of a process sampling on a timer, and the size of one snapshot as JSON.
 *
 *   npx nx run collector:bench [--samples=N …]
 * which runs
 *   npx esbuild tools/bench/collector-bench.ts --bundle --platform=node --target=node20 \
 *     --tsconfig=tsconfig.base.json --packages=external --outfile=tmp/bench/collector-bench.js
 *   node tmp/bench/collector-bench.js [options]
 *
 * Options: --samples N (100)  --rss-seconds S (60)  --rss-interval-ms MS (1000)
 *          --processes N (500)  --skip-si  --only cpu|rss
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Collector } from '@tyto/collector';
import {
  countTcpStates,
  createCollector,
  FileReader,
  LinuxCollector,
  readHostConstants,
  SystemInformationCollector,
} from '@tyto/collector';

interface Options {
  samples: number;
  rssSeconds: number;
  rssIntervalMs: number;
  processes: number;
  skipSi: boolean;
  only: 'cpu' | 'rss' | null;
}

function parseArgs(argv: string[]): Options & { rssChild: boolean } {
  // Accepts `--name value` and `--name=value` (the form nx run-commands forwards).
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const num = (name: string, fallback: number): number => {
    const v = option(name);
    return v === undefined ? fallback : Number(v);
  };
  const only = option('--only');
  return {
    samples: num('--samples', 100),
    rssSeconds: num('--rss-seconds', 60),
    rssIntervalMs: num('--rss-interval-ms', 1000),
    processes: num('--processes', 500),
    skipSi: argv.includes('--skip-si'),
    only: only === 'cpu' || only === 'rss' ? only : null,
    rssChild: argv.includes('--rss-child'),
  };
}

const { clockTicks } = readHostConstants();

/** CPU time of reaped children (cutime + cstime of /proc/self/stat), in ms. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks;
}

function processCount(): number {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Result {
  label: string;
  processes: number;
  cpuMedian: number;
  cpuP95: number;
  wallMedian: number;
  wallP95: number;
  /** Mean CPU per sample including forked children (ps, netstat…), ms. */
  cpuWithChildrenMean: number;
  jsonBytes: number;
}

async function measure(label: string, collector: Collector, samples: number): Promise<Result> {
  const first = await collector.sample(); // primes counters, starts nothing slow
  const cpu: number[] = [];
  const wall: number[] = [];
  const children0 = childrenCpuMs();
  const total0 = process.cpuUsage();
  for (let i = 0; i < samples; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await collector.sample();
    const t1 = process.hrtime.bigint();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    wall.push(Number(t1 - t0) / 1e6);
  }
  const total = process.cpuUsage(total0);
  const childrenMs = childrenCpuMs() - children0;
  cpu.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  return {
    label,
    processes: first.processes.total,
    cpuMedian: percentile(cpu, 50),
    cpuP95: percentile(cpu, 95),
    wallMedian: percentile(wall, 50),
    wallP95: percentile(wall, 95),
    cpuWithChildrenMean: ((total.user + total.system) / 1000 + childrenMs) / samples,
    jsonBytes: Buffer.byteLength(JSON.stringify(first)),
  };
}

const SLOW_OFF = { disable: ['docker', 'systemd', 'gpu'] as const, primeMs: 100 };

async function runScenario(opts: Options, label: string): Promise<Result[]> {
  const results: Result[] = [];
  const tyto = new LinuxCollector({ ...SLOW_OFF, disable: [...SLOW_OFF.disable] });
  results.push(await measure(`Tyto collector ${label}`, tyto, opts.samples));
  await tyto.close();
  if (!opts.skipSi) {
    const si = new SystemInformationCollector({ ...SLOW_OFF, disable: [...SLOW_OFF.disable] });
    results.push(await measure(`systeminformation ${label}`, si, opts.samples));
    await si.close();
  }
  return results;
}

/** Starts idle `sleep 120` children until the host has about `target` processes. */
async function padProcesses(target: number): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  const missing = target - processCount();
  for (let i = 0; i < missing; i++) {
    // Bounded: they end on their own after two minutes even if this run dies.
    children.push(spawn('sleep', ['120'], { stdio: 'ignore' }));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return children;
}

/** Kernel CPU of one scan of the TCP tables, done once per slow period. */
function tcpScanCost(): number {
  const reader = new FileReader();
  const { pageSize } = readHostConstants();
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c0 = process.cpuUsage();
    const counts: number[] = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const n = reader.readSeq(table, pageSize);
      if (n > 0) countTcpStates(reader.buffer, n, counts);
    }
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  return percentile(
    runs.sort((a, b) => a - b),
    50,
  );
}

interface RssResult {
  seconds: number;
  intervalMs: number;
  startMb: number;
  endMb: number;
  maxMb: number;
  trace: number[];
}

/** Runs this script as a child that samples on a timer and watches its RSS from outside. */
async function measureRss(opts: Options): Promise<RssResult> {
  const child = spawn(
    process.execPath,
    [process.argv[1], '--rss-child', '--rss-interval-ms', String(opts.rssIntervalMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid as number;
  const status = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const line of readFileSync(`/proc/${pid}/status`, 'latin1').split('\n')) {
      const m = /^(VmRSS|VmHWM):\s+(\d+) kB/.exec(line);
      if (m) out.set(m[1], Number(m[2]) / 1024);
    }
    return out;
  };
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  const startMb = status().get('VmRSS') ?? 0;
  const trace: number[] = [];
  const end = Date.now() + opts.rssSeconds * 1000;
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, opts.rssSeconds * 100)));
    trace.push(round(status().get('VmRSS') ?? 0));
  }
  const last = status();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    seconds: opts.rssSeconds,
    intervalMs: opts.rssIntervalMs,
    startMb: round(startMb),
    endMb: round(last.get('VmRSS') ?? 0),
    maxMb: round(last.get('VmHWM') ?? 0),
    trace,
  };
}

/** The child side: what an agent does, sample on a timer and serialise. */
async function rssChild(intervalMs: number): Promise<void> {
  const collector = createCollector();
  const first = await collector.sample();
  JSON.stringify(first);
  process.stdout.write('ready\n');
  const timer = setInterval(() => {
    void collector.sample().then((s) => JSON.stringify(s));
  }, intervalMs);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void collector.close().then(() => process.exit(0));
  });
}

const round = (v: number): number => Math.round(v * 100) / 100;

function table(results: Result[]): string {
  const base = new Map<number, Result>();
  const lines = [
    '| Collector | Processes | CPU ms/sample median | p95 | Wall ms median | p95 | CPU incl. children, mean | vs Tyto (CPU incl. children) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const group = Math.round(r.processes / 50);
    if (r.label.startsWith('Tyto')) base.set(group, r);
    const ref = base.get(group);
    const ratio = ref ? `${round(r.cpuWithChildrenMean / ref.cpuWithChildrenMean)}×` : '';
    lines.push(
      `| ${r.label.split(' (')[0]} | ${r.processes} | ${round(r.cpuMedian)} | ${round(r.cpuP95)} | ` +
        `${round(r.wallMedian)} | ${round(r.wallP95)} | ${round(r.cpuWithChildrenMean)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.rssChild) return rssChild(opts.rssIntervalMs);

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  console.log(`machine: ${machine}, load average ${loadavg().map(round).join(' ')}`);
  if (opts.only !== 'rss') await cpuBenchmarks(opts);
  if (opts.only !== 'cpu') {
    const rss = await measureRss(opts);
    console.log(
      `RSS of a process sampling every ${rss.intervalMs} ms for ${rss.seconds} s: start ${rss.startMb} MB, ` +
        `end ${rss.endMb} MB, max ${rss.maxMb} MB (trace: ${rss.trace.join(', ')})`,
    );
  }
}

async function cpuBenchmarks(opts: Options): Promise<void> {
  const results = await runScenario(opts, '(current)');
  const padding = await padProcesses(opts.processes);
  try {
    results.push(...(await runScenario(opts, `(~${opts.processes})`)));
  } finally {
    // Wait until they are reaped: zombies still show in /proc and would inflate what follows.
    await Promise.all(
      padding.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve(null);
            c.once('exit', resolve);
            c.kill('SIGKILL');
          }),
      ),
    );
  }
  const tcpMs = tcpScanCost();
  console.log(`\n${table(results)}\n`);
  console.log(
    `JSON bytes per snapshot: ${results
      .filter((r) => r.label.startsWith('Tyto'))
      .map((r) => `${r.jsonBytes} (${r.processes} processes)`)
      .join(', ')}`,
  );
  console.log(`TCP state table scan (once per slow period): ${round(tcpMs)} ms CPU`);
}

void main();
