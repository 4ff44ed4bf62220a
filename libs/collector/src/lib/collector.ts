import { existsSync } from 'node:fs';
import { hostname as osHostname, machine, networkInterfaces, release, type } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { LOCAL_AGENT_ID, type CpuMetrics, type MetricsSnapshot } from '@tyto/contracts';
import { cpuSplit, parseCpuInfo, parseLoadAvg, parseProcStat } from './cpu';
import type { CpuTimes, ProcStat } from './cpu';
import {
  diskIoRates,
  isReportedDisk,
  MountSampler,
  parseDiskstats,
  parseMounts,
  readBlockDevices,
  selectMounts,
} from './disk';
import type { BlockDevices, DiskCounters, MountEntry } from './disk';
import { openFileLimit, readHostConstants } from './host-constants';
import { memoryMetrics, parseMeminfo } from './memory';
import {
  countTcpStates,
  interfaceMetrics,
  isLinkUp,
  parseHexFlags,
  parseNetDev,
  parseSpeed,
  summarizeTcp,
} from './network';
import type { LinkInfo, NetCounters, TcpSummary } from './network';
import { Periodic } from './periodic';
import { PasswdCache, ProcessSampler } from './processes';
import { FileReader } from './read';
import { SlowSections } from './slow-sections';
import type { SlowSection } from './slow-sections';
import { parseOsRelease, parseUptime } from './system';
import { discoverSensors, readSensors } from './temperature';
import type { SensorSource } from './temperature';

export type { SlowSection };

export interface CollectorOptions {
  /** `agent_id` written into every snapshot; `local` (the hub's own host) by default. */
  agentId?: string;
  /** Where procfs is mounted; `/host/proc` when the agent runs in a container. */
  procRoot?: string;
  /** Where sysfs is mounted. */
  sysRoot?: string;
  /** The host's root filesystem: /etc is read and mountpoints are measured below it. */
  hostRoot?: string;
  /**
   * Refresh period of the slow sections (Docker, systemd, GPU), of hardware discovery and of the
   * TCP state table; 30 s by default.
   */
  slowIntervalMs?: number;
  /** Slow sections to leave out; they then report `available: false`, reason `disabled`. */
  disable?: SlowSection[];
  /**
   * The first `sample()` reads the counters, waits this long and reads again, so its rates are
   * real. 0 makes the first sample's rates 0 (CPU shows the average since boot).
   */
  primeMs?: number;
  /** How long the first sample waits for the slow sections' first refresh. */
  slowStartTimeoutMs?: number;
  /** Length of the top-by-CPU and top-by-memory lists. */
  topN?: number;
  /** Docker Engine API socket, `/var/run/docker.sock` by default. */
  dockerSocket?: string;
  /** nvidia-smi binary, looked up on PATH when it has no slash. */
  nvidiaSmiPath?: string;
  /** systemctl binary, looked up on PATH when it has no slash. */
  systemctlPath?: string;
  /** Monotonic milliseconds; tests pass a fake clock to get exact rates. */
  clock?: () => number;
  /** Address source, `os.networkInterfaces` by default; tests pass a recorded one. */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export interface Collector {
  /** One snapshot. Sections that cannot be read say why instead of failing the sample. */
  sample(): Promise<MetricsSnapshot>;
  /** Stops timers and child processes (nvidia-smi) and closes the Docker connection. */
  close(): Promise<void>;
}

/** Options shared by both collectors for the slow sections. */
export function slowSectionsFor(opts: CollectorOptions, systemdUnsupported?: string): SlowSections {
  return new SlowSections({
    sysRoot: opts.sysRoot ?? '/sys',
    hostRoot: opts.hostRoot ?? '/',
    intervalMs: Math.max(1000, opts.slowIntervalMs ?? 30_000),
    disable: new Set(opts.disable ?? []),
    dockerSocket: opts.dockerSocket ?? '/var/run/docker.sock',
    nvidiaSmiPath: opts.nvidiaSmiPath ?? 'nvidia-smi',
    systemctlPath: opts.systemctlPath ?? 'systemctl',
    systemdUnsupported,
  });
}

function emptyTimes(): CpuTimes {
  return { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
}

function emptyStat(): ProcStat {
  return { total: emptyTimes(), cores: new Map(), bootTime: null };
}

/**
 * The Linux collector. Every sample reads procfs/sysfs directly (no fork, no exec); anything
 * that needs a child process or a socket (Docker, systemd, nvidia-smi) runs on its own slower
 * schedule and the sample reports its latest result.
 */
export class LinuxCollector implements Collector {
  private readonly procRoot: string;
  private readonly sysRoot: string;
  private readonly hostRoot: string;
  private readonly agentId: string;
  private readonly clock: () => number;
  private readonly interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  private readonly reader = new FileReader();
  private readonly constants = readHostConstants();
  private readonly processes: ProcessSampler;
  private readonly mounts: MountSampler;
  private readonly slow: SlowSections;
  private readonly discovery: Periodic;

  // Counter readings of the previous sample; rates are deltas against these.
  private statA = emptyStat();
  private statB = emptyStat();
  private prevStat: ProcStat | undefined;
  private prevDisk: Map<string, DiskCounters> | undefined;
  private prevNet: Map<string, NetCounters> | undefined;
  private prevTime = 0;

  // Things that do not change per sample, refreshed by `discover()`.
  private model = 'unknown';
  private os = '';
  private kernel = release();
  private bootTime: string | null = null;
  private blockDevices: BlockDevices | null = null;
  private sensors: SensorSource[] = [];
  private readonly links = new Map<string, { mac: string | null; speed: number | null }>();
  private readonly freqPaths = new Map<number, string | null>();
  private cpuinfoMhz = new Map<number, number>();
  private mountText = '';
  private mountList: MountEntry[] = [];
  private tcp: TcpSummary = { connectionCount: 0, connectionsByState: {}, listening: 0 };

  private started: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.sysRoot = opts.sysRoot ?? '/sys';
    this.hostRoot = opts.hostRoot ?? '/';
    this.agentId = opts.agentId ?? LOCAL_AGENT_ID;
    // hrtime, not performance.now(): the perf_hooks module would be loaded just for this.
    this.clock = opts.clock ?? (() => Number(process.hrtime.bigint()) / 1e6);
    this.interfaces = opts.networkInterfaces ?? networkInterfaces;
    const passwd = new PasswdCache(this.etc('passwd'), this.reader);
    this.processes = new ProcessSampler(
      this.procRoot,
      this.reader,
      this.constants,
      passwd,
      opts.topN ?? 10,
      // A quarter of the descriptor limit at most, leaving the rest to the host application.
      Math.min(4096, Math.floor((openFileLimit() ?? 1024) / 4)),
    );
    this.mounts = new MountSampler(this.hostRoot);
    this.slow = slowSectionsFor(opts);
    this.discovery = new Periodic(
      async () => this.discover(),
      Math.max(1000, opts.slowIntervalMs ?? 30_000),
    );
  }

  async sample(): Promise<MetricsSnapshot> {
    if (this.closed) throw new Error('collector is closed');
    this.started ??= this.start();
    await this.started;
    return this.collect();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.discovery.stop();
    this.processes.close();
    await this.slow.close();
  }

  private async start(): Promise<void> {
    // Runs discover() now and then on the slow cadence.
    await this.discovery.start();
    await this.readStaticInventory();
    if (this.closed) return;
    void this.slow.start();
    const primeMs = this.opts.primeMs ?? 200;
    if (primeMs > 0) {
      await this.collect();
      await new Promise((resolve) => setTimeout(resolve, primeMs));
    }
    await this.slow.ready(this.opts.slowStartTimeoutMs ?? 5000);
  }

  /** Reads what is fixed for the life of the process (or close to it), once. */
  private async readStaticInventory(): Promise<void> {
    const osRelease =
      this.reader.text(this.etc('os-release')) ??
      this.reader.text(
        this.hostRoot === '/' ? '/usr/lib/os-release' : `${this.hostRoot}/usr/lib/os-release`,
      );
    const pretty = osRelease === null ? null : parseOsRelease(osRelease);
    const kernel = this.reader.line(`${this.procRoot}/sys/kernel/osrelease`);
    if (kernel) this.kernel = kernel;
    const cpuinfo = this.reader.text(`${this.procRoot}/cpuinfo`);
    const model = cpuinfo === null ? null : parseCpuInfo(cpuinfo).model;
    const statLen = this.reader.read(`${this.procRoot}/stat`);
    if (statLen > 0) {
      const bt = parseProcStat(this.reader.buffer, statLen).bootTime;
      if (bt !== null) this.bootTime = new Date(bt * 1000).toISOString();
    }
    if (pretty && model) {
      this.os = pretty;
      this.model = model;
      return;
    }
    // Only when procfs or os-release lack it: systeminformation knows more sources (DMI,
    // lsb_release, device-tree). Loaded lazily so hosts that do not need it never pay for it.
    const si = await import('systeminformation');
    if (!pretty) {
      const info = await si.osInfo().catch(() => null);
      this.os = info ? `${info.distro} ${info.release}`.trim() : `${type()} ${release()}`;
    } else {
      this.os = pretty;
    }
    if (!model) {
      const cpu = await si.cpu().catch(() => null);
      this.model = cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() || 'unknown' : 'unknown';
    } else {
      this.model = model;
    }
  }

  /** Rescans what changes slowly: disks, sensors, NICs, cpufreq, and the TCP state table. */
  private discover(): void {
    this.scanTcp();
    this.blockDevices = readBlockDevices(this.sysRoot, (p) => this.reader.line(p));
    this.sensors = discoverSensors(this.sysRoot, this.reader);
    this.links.clear();
    this.freqPaths.clear();
    this.cpuinfoMhz.clear();
  }

  /** One pass over procfs/sysfs. Synchronous except for statfs on network filesystems. */
  private async collect(): Promise<MetricsSnapshot> {
    const now = this.clock();
    const seconds = this.prevStat ? (now - this.prevTime) / 1000 : 0;
    this.prevTime = now;
    const timestamp = new Date().toISOString();
    const uptime = parseUptime(this.reader.text(`${this.procRoot}/uptime`) ?? '');

    const cpu = this.readCpu();
    const memory = memoryMetrics(parseMeminfo(this.reader.text(`${this.procRoot}/meminfo`) ?? ''));
    const io = this.readDiskIo(seconds);
    const network = this.readNetwork(seconds);
    const processes = this.processes.sample(seconds, uptime);
    const sensors = readSensors(this.sensors, this.reader);
    const mounts = await this.mounts.sample(this.readMounts());

    return {
      timestamp,
      agent_id: this.agentId,
      system: {
        hostname: this.reader.line(`${this.procRoot}/sys/kernel/hostname`) ?? osHostname(),
        kernel: this.kernel,
        os: this.os,
        architecture: machine(),
        uptime: Math.floor(uptime),
        bootTime: this.bootTime ?? new Date(Date.now() - uptime * 1000).toISOString(),
      },
      cpu,
      memory,
      disk: { mounts, io },
      network,
      processes,
      temperature: {
        available: sensors.length > 0,
        ...(sensors.length > 0 ? {} : { reason: 'no temperature sensors in hwmon or thermal' }),
        sensors,
      },
      ...this.slow.current(),
    };
  }

  private readCpu(): CpuMetrics {
    const len = this.reader.read(`${this.procRoot}/stat`);
    // Alternate between two parse targets so the previous reading survives without copying.
    const cur = this.prevStat === this.statA ? this.statB : this.statA;
    if (len > 0) parseProcStat(this.reader.buffer, len, cur);
    const prev = this.prevStat;
    this.prevStat = cur;
    const split = cpuSplit(cur.total, prev?.total);
    const cores: CpuMetrics['cores'] = [];
    for (const [id, times] of cur.cores) {
      cores.push({
        id,
        usage: cpuSplit(times, prev?.cores.get(id)).usage,
        frequency: this.frequency(id),
      });
    }
    const load = parseLoadAvg(this.reader.text(`${this.procRoot}/loadavg`) ?? '');
    return {
      model: this.model,
      cores,
      totalUsage: split.usage,
      user: split.user,
      system: split.system,
      iowait: split.iowait,
      steal: split.steal,
      idle: split.idle,
      loadAverage: load,
    };
  }

  /**
   * MHz from cpufreq when the kernel has a driver for it; otherwise from /proc/cpuinfo, read
   * once per discovery period because it is long on big hosts and its MHz lines are fixed on
   * the VMs that lack cpufreq.
   */
  private frequency(id: number): number | null {
    let path = this.freqPaths.get(id);
    if (path === undefined) {
      const candidate = `${this.sysRoot}/devices/system/cpu/cpu${id}/cpufreq/scaling_cur_freq`;
      path = existsSync(candidate) ? candidate : null;
      this.freqPaths.set(id, path);
      if (path === null && this.cpuinfoMhz.size === 0) {
        this.cpuinfoMhz = parseCpuInfo(this.reader.text(`${this.procRoot}/cpuinfo`) ?? '').mhz;
      }
    }
    if (path !== null) {
      const khz = this.reader.int(path);
      return khz === null ? null : Math.round(khz / 1000);
    }
    return this.cpuinfoMhz.get(id) ?? null;
  }

  private readDiskIo(seconds: number): MetricsSnapshot['disk']['io'] {
    const len = this.reader.read(`${this.procRoot}/diskstats`);
    if (len < 0) return [];
    const cur = parseDiskstats(this.reader.buffer, len);
    const prev = this.prevDisk;
    for (const name of prev ? cur.keys() : []) {
      if (prev?.has(name)) continue;
      // Hot-plugged: learn whether the new name is a whole disk now, not at the next discovery.
      this.blockDevices = readBlockDevices(this.sysRoot, (p) => this.reader.line(p));
      break;
    }
    const devices = this.blockDevices;
    const out = diskIoRates(
      cur,
      this.prevDisk,
      seconds,
      (name) => isReportedDisk(name, devices?.whole ?? null),
      (name) => devices?.dmNames.get(name) ?? name,
    );
    this.prevDisk = cur;
    return out;
  }

  private readNetwork(seconds: number): MetricsSnapshot['network'] {
    const len = this.reader.read(`${this.procRoot}/net/dev`);
    const cur = len > 0 ? parseNetDev(this.reader.buffer, len) : new Map<string, NetCounters>();
    const interfaces = interfaceMetrics(
      cur,
      this.prevNet,
      seconds,
      (name) => this.link(name),
      this.interfaces(),
    );
    this.prevNet = cur;

    // Count and states come from the same table scan, so the count is always the sum of the
    // non-LISTEN states (sockstat's live totals count other sockets and disagreed with it).
    return {
      interfaces,
      connectionCount: this.tcp.connectionCount,
      connectionsByState: this.tcp.connectionsByState,
    };
  }

  /**
   * Counts sockets by state from the TCP tables. Reading /proc/net/tcp walks the whole
   * established hash (262k buckets on a 24 GB host: ~3 ms of kernel time for tcp + tcp6 even
   * when empty), so it runs on the slow cadence, not every sample.
   */
  private scanTcp(): void {
    const counts: number[] = [];
    for (const table of ['tcp', 'tcp6']) {
      const n = this.reader.readSeq(`${this.procRoot}/net/${table}`, this.constants.pageSize);
      if (n > 0) countTcpStates(this.reader.buffer, n, counts);
    }
    this.tcp = summarizeTcp(counts);
  }

  /** MAC and speed are cached until the next discovery; the link state is read every time. */
  private link(name: string): LinkInfo {
    const dir = `${this.sysRoot}/class/net/${name}`;
    let fixed = this.links.get(name);
    if (!fixed) {
      const mac = this.reader.line(`${dir}/address`);
      fixed = { mac: mac ? mac : null, speed: parseSpeed(this.reader.line(`${dir}/speed`)) };
      this.links.set(name, fixed);
    }
    const operstate = this.reader.line(`${dir}/operstate`);
    // Only an "unknown" operstate (loopback, tun) needs the flags file.
    const flags =
      operstate === 'up' || operstate === 'down'
        ? null
        : parseHexFlags(this.reader.line(`${dir}/flags`));
    return { mac: fixed.mac, speed: fixed.speed, up: isLinkUp(operstate, flags) };
  }

  /** Re-parses the mount table only when its text changed (it rarely does). */
  private readMounts(): MountEntry[] {
    // Inside a container our own mount table is not the host's; pid 1's is.
    const self = this.hostRoot === '/' ? 'self' : '1';
    const text = this.reader.text(`${this.procRoot}/${self}/mounts`) ?? '';
    if (text !== this.mountText) {
      this.mountText = text;
      this.mountList = selectMounts(parseMounts(text));
    }
    return this.mountList;
  }

  private etc(file: string): string {
    return this.hostRoot === '/' ? `/etc/${file}` : `${this.hostRoot}/etc/${file}`;
  }
}
