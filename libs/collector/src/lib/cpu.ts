import { ByteCursor, clampPercent, round2 } from './read';

/** Tick counters of one `cpu` line of /proc/stat (guest time is already inside user/nice). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface ProcStat {
  total: CpuTimes;
  /** Per online core, keyed by the number in `cpuN` (offline cores have no line). */
  cores: Map<number, CpuTimes>;
  /** Seconds since the epoch at boot (`btime`), null when the line is missing. */
  bootTime: number | null;
}

export interface CpuSplit {
  usage: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
  idle: number;
}

const cursor = new ByteCursor();

function emptyTimes(): CpuTimes {
  return { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
}

/**
 * Parses /proc/stat's cpu lines and btime. `into` lets the sampler reuse the previous objects'
 * storage instead of allocating a map per sample.
 */
export function parseProcStat(buf: Buffer, len = buf.length, into?: ProcStat): ProcStat {
  const out: ProcStat = into ?? { total: emptyTimes(), cores: new Map(), bootTime: null };
  const c = cursor.reset(buf, 0, len);
  let coreCount = 0;
  while (!c.done) {
    if (c.startsWith('cpu')) {
      c.pos += 3;
      let times: CpuTimes;
      if (buf[c.pos] === 0x20) {
        times = out.total;
      } else {
        const id = c.number();
        coreCount++;
        let core = out.cores.get(id);
        if (!core) {
          core = emptyTimes();
          out.cores.set(id, core);
        }
        times = core;
      }
      times.user = c.number();
      times.nice = c.number();
      times.system = c.number();
      times.idle = c.number();
      // Kernels before 2.6 stop here; treat the missing columns as zero.
      times.iowait = c.number() || 0;
      times.irq = c.number() || 0;
      times.softirq = c.number() || 0;
      times.steal = c.number() || 0;
    } else if (c.startsWith('btime ')) {
      c.pos += 6;
      out.bootTime = c.number();
    }
    c.nextLine();
  }
  // A core went offline since `into` was last filled: drop its stale line.
  if (out.cores.size > coreCount) {
    const ids = [...out.cores.keys()];
    for (const id of ids) if (!lineFor(buf, len, id)) out.cores.delete(id);
  }
  return out;
}

function lineFor(buf: Buffer, len: number, id: number): boolean {
  const at = buf.indexOf(`\ncpu${id} `);
  return at >= 0 && at < len;
}

/**
 * Splits the ticks between two readings into percentages. Without a previous reading the
 * counters since boot are used, which is the average since boot (what `top` shows first).
 * Each delta is clamped at zero: iowait is known to step backwards on tickless kernels.
 */
export function cpuSplit(current: CpuTimes, previous: CpuTimes | undefined): CpuSplit {
  const d = (key: keyof CpuTimes): number => {
    const delta = current[key] - (previous ? previous[key] : 0);
    return delta > 0 ? delta : 0;
  };
  const user = d('user') + d('nice');
  const system = d('system') + d('irq') + d('softirq');
  const idle = d('idle');
  const iowait = d('iowait');
  const steal = d('steal');
  const total = user + system + idle + iowait + steal;
  if (total === 0) return { usage: 0, user: 0, system: 0, iowait: 0, steal: 0, idle: 0 };
  const pct = (v: number): number => round2(clampPercent((v / total) * 100));
  return {
    usage: pct(user + system + steal),
    user: pct(user),
    system: pct(system),
    iowait: pct(iowait),
    steal: pct(steal),
    idle: pct(idle),
  };
}

export function copyTimes(from: CpuTimes, to: CpuTimes = emptyTimes()): CpuTimes {
  to.user = from.user;
  to.nice = from.nice;
  to.system = from.system;
  to.idle = from.idle;
  to.iowait = from.iowait;
  to.irq = from.irq;
  to.softirq = from.softirq;
  to.steal = from.steal;
  return to;
}

export interface CpuInfo {
  /** Marketing name of the first processor, null when /proc/cpuinfo has none (some ARM boards). */
  model: string | null;
  /** `cpu MHz` by processor number (x86 only). */
  mhz: Map<number, number>;
}

// The model line is named differently per architecture.
const MODEL_KEYS = ['model name', 'Model', 'cpu model', 'Processor', 'uarch'];

export function parseCpuInfo(text: string): CpuInfo {
  let model: string | null = null;
  let modelRank = MODEL_KEYS.length;
  const mhz = new Map<number, number>();
  let processor = -1;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') {
      processor = Number.parseInt(value, 10);
    } else if (key === 'cpu MHz' && processor >= 0) {
      const v = Number.parseFloat(value);
      if (Number.isFinite(v)) mhz.set(processor, Math.round(v));
    } else {
      const rank = MODEL_KEYS.indexOf(key);
      if (rank >= 0 && rank < modelRank && value !== '') {
        model = value;
        modelRank = rank;
      }
    }
  }
  return { model, mhz };
}

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export function parseLoadAvg(text: string): LoadAverage {
  const [one, five, fifteen] = text.trim().split(/\s+/, 3).map(Number);
  return { one: one || 0, five: five || 0, fifteen: fifteen || 0 };
}
