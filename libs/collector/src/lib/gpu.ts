import { accessSync, constants as fsConstants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ChildProcess, spawn as Spawn } from 'node:child_process';
import type { GpuMetrics } from '@tyto/contracts';
import type { FileReader } from './read';
import { naturalCompare, round2 } from './read';

/** The columns asked of nvidia-smi, in order. */
export const NVIDIA_QUERY = [
  'index',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const;

const MIB = 1024 * 1024;

/**
 * A numeric nvidia-smi field. With `nounits` values are bare numbers; a field the board does
 * not have reads `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`
 * or `N/A`, all of which mean "no value".
 */
function field(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number.parseFloat(raw);
  return raw.startsWith('[') || !Number.isFinite(value) ? null : value;
}

/** One line of `--format=csv,noheader,nounits` output, or null when it is not a GPU row. */
export function parseNvidiaCsvLine(line: string): GpuMetrics | null {
  const cols = line.split(',').map((c) => c.trim());
  if (cols.length < NVIDIA_QUERY.length) return null;
  // A name may itself contain commas: everything between index and the five numbers is name.
  const tail = cols.slice(-5);
  const index = Number.parseInt(cols[0], 10);
  if (!Number.isInteger(index) || !/^\d+$/.test(cols[0])) return null;
  const memoryUsed = field(tail[1]);
  const memoryTotal = field(tail[2]);
  const power = field(tail[4]);
  return {
    index,
    name: cols.slice(1, -5).join(', '),
    vendor: 'nvidia',
    utilization: field(tail[0]),
    memoryUsed: memoryUsed === null ? null : memoryUsed * MIB,
    memoryTotal: memoryTotal === null ? null : memoryTotal * MIB,
    temperature: field(tail[3]),
    powerWatts: power === null ? null : round2(power),
  };
}

/** Parses a whole output (one or more blocks); keeps the rows of the last block. */
export function parseNvidiaCsv(text: string): GpuMetrics[] {
  const assembler = new NvidiaBlockAssembler();
  let last: GpuMetrics[] = [];
  for (const line of text.split('\n')) {
    const block = assembler.push(line);
    if (block) last = block;
  }
  return assembler.flush() ?? last;
}

/**
 * Groups loop-mode rows into blocks. nvidia-smi prints no separator between iterations, so a
 * row whose index is not above the previous one starts a new block.
 */
export class NvidiaBlockAssembler {
  private rows: GpuMetrics[] = [];
  /** The last line that was not a GPU row (nvidia-smi reports errors on stdout). */
  message: string | null = null;

  /** Feeds one line; returns the previous block when this line starts a new one. */
  push(line: string): GpuMetrics[] | null {
    if (line.trim() === '') return null;
    const row = parseNvidiaCsvLine(line);
    if (!row) {
      this.message = line.trim();
      return null;
    }
    let done: GpuMetrics[] | null = null;
    if (this.rows.length > 0 && row.index <= this.rows[this.rows.length - 1].index) {
      done = this.rows;
      this.rows = [];
    }
    this.rows.push(row);
    return done;
  }

  /** Ends the current block (called when output pauses). */
  flush(): GpuMetrics[] | null {
    if (this.rows.length === 0) return null;
    const done = this.rows;
    this.rows = [];
    return done;
  }
}

/** Finds an executable on PATH the way execvp does, without forking `which`. */
export function findExecutable(
  command: string,
  pathEnv = process.env['PATH'] ?? '',
): string | null {
  const candidates = command.includes('/')
    ? [command]
    : pathEnv
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface GpuState {
  gpus: GpuMetrics[];
  /** Why there is nothing to show; null while rows are arriving. */
  reason: string | null;
}

/**
 * Keeps one `nvidia-smi … -l <seconds>` child running and holds the last block it printed.
 * One long-lived child instead of a fork per sample: nvidia-smi takes ~100 ms of CPU to start
 * because it initialises NVML each time. A child that exits is restarted after `retryMs`.
 */
export class NvidiaSmiLoop {
  private child: ChildProcess | null = null;
  private retry: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private launching = false;
  private lastBlockAt = 0;
  private gpus: GpuMetrics[] = [];
  private reason: string | null = 'waiting for nvidia-smi';
  private firstBlock: Promise<void>;
  private resolveFirst: () => void = () => undefined;

  constructor(
    private readonly command: string,
    private readonly intervalSeconds: number,
    private readonly retryMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.firstBlock = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  start(): void {
    if (this.stopped || this.child || this.launching) return;
    const path = findExecutable(this.command);
    if (!path) {
      this.fail(`${this.command} not found`);
      return;
    }
    // child_process is loaded only on hosts that have nvidia-smi.
    this.launching = true;
    void import('node:child_process').then(({ spawn }) => {
      this.launching = false;
      if (!this.stopped) this.launch(spawn, path);
    });
  }

  private launch(spawn: typeof Spawn, path: string): void {
    const args = [
      `--query-gpu=${NVIDIA_QUERY.join(',')}`,
      '--format=csv,noheader,nounits',
      '-l',
      String(this.intervalSeconds),
    ];
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const assembler = new NvidiaBlockAssembler();
    let partial = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const block = assembler.push(line);
        if (block) this.accept(block);
      }
      // A block is written in one go; a short quiet period means it is complete.
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = setTimeout(() => {
        const block = assembler.flush();
        if (block) this.accept(block);
      }, 50);
      this.flushTimer.unref();
    });
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.child === child) this.child = null;
      this.fail(
        err.code === 'ENOENT' ? `${this.command} not found` : `${this.command}: ${err.message}`,
      );
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopped) return;
      const message =
        lastLine(stderr) ??
        assembler.message ??
        `${this.command} exited with ${signal ?? `code ${String(code)}`}`;
      this.fail(message);
    });
    // The agent's own lifetime decides when to stop; this child must not keep Node alive.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) {
      const socket = stream as unknown as { unref?: () => void } | null;
      socket?.unref?.();
    }
  }

  /** Resolves once the first block arrived or the child failed, or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      void this.firstBlock.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  state(): GpuState {
    // nvidia-smi can hang on a wedged driver while still running: treat silence as failure.
    const staleAfterMs = this.intervalSeconds * 3000 + 5000;
    if (this.reason === null && this.now() - this.lastBlockAt > staleAfterMs) {
      return { gpus: [], reason: `${this.command} stopped reporting` };
    }
    return { gpus: this.gpus, reason: this.reason };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const child = this.child;
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      // A wedged driver can leave nvidia-smi deaf to SIGTERM.
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private accept(block: GpuMetrics[]): void {
    this.gpus = block;
    this.reason = null;
    this.lastBlockAt = this.now();
    this.resolveFirst();
  }

  private fail(reason: string): void {
    this.gpus = [];
    this.reason = reason;
    this.resolveFirst();
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start();
    }, this.retryMs);
    this.retry.unref();
  }
}

function lastLine(text: string): string | null {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines[lines.length - 1] : null;
}

const AMD = '0x1002';
const INTEL = '0x8086';

/** An AMD or Intel GPU found under /sys/class/drm, with the files to read for it. */
export interface DrmGpu {
  index: number;
  vendor: 'amd' | 'intel';
  name: string;
  device: string;
  hwmon: string | null;
}

/** Lists AMD and Intel cards (NVIDIA's are read through nvidia-smi). */
export function discoverDrmGpus(sysRoot: string, reader: FileReader): DrmGpu[] {
  const root = `${sysRoot}/class/drm`;
  let cards: string[];
  try {
    cards = readdirSync(root).filter((c) => /^card\d+$/.test(c));
  } catch {
    return [];
  }
  const out: DrmGpu[] = [];
  for (const card of cards.sort(naturalCompare)) {
    const device = `${root}/${card}/device`;
    const vendorId = reader.line(`${device}/vendor`);
    if (vendorId !== AMD && vendorId !== INTEL) continue;
    const vendor = vendorId === AMD ? 'amd' : 'intel';
    let hwmon: string | null = null;
    try {
      const first = readdirSync(`${device}/hwmon`).find((h) => h.startsWith('hwmon'));
      if (first) hwmon = `${device}/hwmon/${first}`;
    } catch {
      // integrated GPUs often have no hwmon
    }
    const product = reader.line(`${device}/product_name`);
    const deviceId = reader.line(`${device}/device`) ?? '?';
    out.push({
      index: Number.parseInt(card.slice(4), 10),
      vendor,
      name: product || `${vendor === 'amd' ? 'AMD' : 'Intel'} GPU ${deviceId}`,
      device,
      hwmon,
    });
  }
  return out;
}

/**
 * Reads what amdgpu exposes (busy %, VRAM, temperature, power); Intel's i915 has no busy counter
 * in sysfs (it needs perf), so only hwmon temperature and power are read for it, where present.
 */
export function readDrmGpu(gpu: DrmGpu, reader: FileReader): GpuMetrics {
  const temp = gpu.hwmon ? reader.int(`${gpu.hwmon}/temp1_input`) : null;
  const microwatts = gpu.hwmon
    ? (reader.int(`${gpu.hwmon}/power1_average`) ?? reader.int(`${gpu.hwmon}/power1_input`))
    : null;
  const amd = gpu.vendor === 'amd';
  return {
    index: gpu.index,
    name: gpu.name,
    vendor: gpu.vendor,
    utilization: amd ? reader.int(`${gpu.device}/gpu_busy_percent`) : null,
    memoryUsed: amd ? reader.int(`${gpu.device}/mem_info_vram_used`) : null,
    memoryTotal: amd ? reader.int(`${gpu.device}/mem_info_vram_total`) : null,
    temperature: temp === null ? null : round2(temp / 1000),
    powerWatts: microwatts === null ? null : round2(microwatts / 1e6),
  };
}
