import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessDetail, ProcessInfo, SignalName, SignalOutcomeResult } from '@tyto/contracts';
import { readHostConstants, type HostConstants } from './host-constants';
import { formatCmdline, parseStatus, PasswdCache, redactCommand } from './processes';
import { FileReader, round2 } from './read';

/** The fields of /proc/[pid]/stat a process table shows. */
export interface FullPidStat {
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime, clock ticks. */
  ticks: number;
  nice: number;
  threads: number;
  /** Clock ticks after boot. */
  startTicks: number;
  rssPages: number;
}

/** Parses a whole /proc/[pid]/stat line (fields counted from the last ')', as comm may hold any). */
export function parseFullPidStat(text: string): FullPidStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // f[0] is field 3 (state).
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return null;
  const n = (i: number) => Number(f[i - 3]);
  const out = {
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: n(4),
    ticks: n(14) + n(15),
    nice: n(19),
    threads: n(20),
    startTicks: n(22),
    rssPages: n(24),
  };
  return Number.isFinite(out.rssPages) && Number.isFinite(out.startTicks) ? out : null;
}

/**
 * What `signal` answers (the contract's SignalOutcomeSchema, which an agent sends back as its
 * reply); the hub maps each refusal to its error code.
 */
export type SignalOutcome = SignalOutcomeResult;

export interface ProcessTableOptions {
  procRoot?: string;
  passwdPath?: string;
  /** Pids that are never signalled besides 0 and 1: the hub's or agent's own. */
  protectedPids?: readonly number[];
}

interface CpuMark {
  startTicks: number;
  ticks: number;
  at: number;
}

/**
 * The full process table of this host, one process's detail, and signals with the checks every
 * host makes itself (never pid 0 or 1 or its own pid, the start time guarding against pid reuse).
 * Used by the hub for `local` and by the agent for its host: neither trusts the other about
 * which pids are safe.
 */
export class ProcessTable {
  private readonly procRoot: string;
  private readonly reader = new FileReader();
  private readonly constants: HostConstants;
  private readonly passwd: PasswdCache;
  private readonly protectedPids: ReadonlySet<number>;
  /** CPU ticks per pid at the previous list, for a top-like % between two lists. */
  private marks = new Map<number, CpuMark>();
  private bootTimeMs: number | null = null;

  constructor(opts: ProcessTableOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.constants = readHostConstants();
    this.passwd = new PasswdCache(opts.passwdPath ?? '/etc/passwd', this.reader);
    this.protectedPids = new Set([0, 1, process.pid, ...(opts.protectedPids ?? [])]);
  }

  isProtected(pid: number): boolean {
    return this.protectedPids.has(pid);
  }

  /** Every process readable now. CPU is % of one core since the previous call (within 60 s). */
  list(now = Date.now()): ProcessInfo[] {
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      return [];
    }
    const marks = new Map<number, CpuMark>();
    const out: ProcessInfo[] = [];
    for (const dir of names) {
      const first = dir.charCodeAt(0);
      if (first < 0x30 || first > 0x39) continue;
      const pid = Number(dir);
      const stat = this.stat(pid);
      if (!stat) continue;
      const info = this.describe(pid, stat, now);
      if (!info) continue;
      marks.set(pid, { startTicks: stat.startTicks, ticks: stat.ticks, at: now });
      out.push(info);
    }
    this.marks = marks;
    return out;
  }

  /** One process with its open file count; null when it is gone. */
  detail(pid: number, now = Date.now()): Omit<ProcessDetail, 'agent_id'> | null {
    const stat = this.stat(pid);
    if (!stat) return null;
    const info = this.describe(pid, stat, now);
    if (!info) return null;
    return { ...info, open_files: this.openFiles(pid) };
  }

  /**
   * Sends an allowed signal after the host's own checks. `expectedStartTime` (ISO) must match
   * the process's start time when given. There remains a window of microseconds between the
   * check and kill(2) that only pidfd_send_signal closes, which Node does not offer.
   */
  signal(pid: number, signal: SignalName, expectedStartTime?: string): SignalOutcome {
    if (!Number.isInteger(pid) || pid <= 1 || this.isProtected(pid)) {
      return { ok: false, reason: 'protected' };
    }
    const stat = this.stat(pid);
    if (!stat) return { ok: false, reason: 'not_found' };
    const name = this.name(pid, stat);
    const startTime = this.startTimeIso(stat.startTicks);
    if (
      expectedStartTime !== undefined &&
      Date.parse(expectedStartTime) !== Date.parse(startTime)
    ) {
      return { ok: false, reason: 'changed', name };
    }
    try {
      process.kill(pid, signal);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') return { ok: false, reason: 'not_found', name };
      if (code === 'EPERM') return { ok: false, reason: 'permission', name };
      throw e;
    }
    return { ok: true, name, startTime };
  }

  private stat(pid: number): FullPidStat | null {
    const len = this.reader.read(`${this.procRoot}/${pid}/stat`);
    if (len <= 0) return null;
    return parseFullPidStat(this.reader.buffer.toString('utf8', 0, len));
  }

  private name(pid: number, stat: FullPidStat): string {
    const status = this.reader.text(`${this.procRoot}/${pid}/status`);
    return (status && parseStatus(status).name) || stat.comm;
  }

  private describe(pid: number, stat: FullPidStat, now: number): ProcessInfo | null {
    const status = this.reader.text(`${this.procRoot}/${pid}/status`);
    if (status === null) return null; // exited since the stat read
    const { name, uid } = parseStatus(status);
    const len = this.reader.read(`${this.procRoot}/${pid}/cmdline`);
    const cmdline = len > 0 ? formatCmdline(this.reader.buffer, len, 4096) : '';
    const displayName = name || stat.comm;
    return {
      pid,
      ppid: stat.ppid,
      name: displayName,
      // Kernel threads have no argv; ps shows their name in brackets.
      cmdline: cmdline === '' ? `[${displayName}]` : redactCommand(cmdline),
      user: this.passwd.name(uid),
      state: stat.state,
      cpu: round2(this.cpuPercent(pid, stat, now)),
      memory: stat.rssPages * this.constants.pageSize,
      threads: stat.threads,
      nice: stat.nice,
      startTime: this.startTimeIso(stat.startTicks),
    };
  }

  private cpuPercent(pid: number, stat: FullPidStat, now: number): number {
    const hz = this.constants.clockTicks;
    const mark = this.marks.get(pid);
    if (
      mark &&
      mark.startTicks === stat.startTicks &&
      now - mark.at > 0 &&
      now - mark.at < 60_000
    ) {
      return (((stat.ticks - mark.ticks) / hz) * 100_000) / (now - mark.at);
    }
    // No recent mark: the average over the process's life, as ps shows it.
    const started = this.bootMs() + (stat.startTicks / hz) * 1000;
    const lifeMs = now - started;
    return lifeMs > 0 ? ((stat.ticks / hz) * 100_000) / lifeMs : 0;
  }

  private openFiles(pid: number): number | null {
    try {
      return readdirSync(`${this.procRoot}/${pid}/fd`).length;
    } catch {
      return null;
    }
  }

  /** Boot time from btime in /proc/stat: whole seconds, the same on every read. */
  private bootMs(): number {
    if (this.bootTimeMs === null) {
      try {
        const m = /^btime\s+(\d+)/m.exec(readFileSync(`${this.procRoot}/stat`, 'latin1'));
        this.bootTimeMs = m ? Number(m[1]) * 1000 : 0;
      } catch {
        this.bootTimeMs = 0;
      }
    }
    return this.bootTimeMs;
  }

  private startTimeIso(startTicks: number): string {
    return new Date(
      this.bootMs() + Math.round((startTicks / this.constants.clockTicks) * 1000),
    ).toISOString();
  }
}
