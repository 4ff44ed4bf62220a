import { hostname, loadavg, machine, release, type } from 'node:os';
import { LOCAL_AGENT_ID, type MetricsSnapshot, type ProcessSummary } from '@tyto/contracts';
import type * as SystemInformation from 'systeminformation';
import type { Systeminformation } from 'systeminformation';
import type { Collector, CollectorOptions } from './collector';
import { slowSectionsFor } from './collector';
import { redactCommand } from './processes';
import { round2 } from './read';
import type { SlowSections } from './slow-sections';

type Si = typeof SystemInformation;

/**
 * The collector for hosts that are not Linux (macOS, Windows, BSD), built on systeminformation,
 * which forks platform tools (ps, netstat, wmic…) on every call. It is also what the benchmark
 * compares the procfs collector against on Linux. Fields systeminformation does not provide
 * (iowait, per-device I/O, inodes) are 0.
 */
export class SystemInformationCollector implements Collector {
  private si: Si | null = null;
  private os = '';
  private model = 'unknown';
  private readonly slow: SlowSections;
  private started: Promise<void> | null = null;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.slow = slowSectionsFor(
      opts,
      process.platform === 'linux' ? undefined : 'systemd exists only on Linux',
    );
  }

  async sample(): Promise<MetricsSnapshot> {
    this.started ??= this.start();
    await this.started;
    const si = this.si as Si;
    const [load, speed, mem, fs, io, netStats, ifaces, conns, procs, temp] = await Promise.all([
      si.currentLoad(),
      si.cpuCurrentSpeed(),
      si.mem(),
      si.fsSize(),
      si.disksIO().catch(() => null),
      si.networkStats('*'),
      si.networkInterfaces(),
      si.networkConnections(),
      si.processes(),
      si.cpuTemperature(),
    ]);
    const time = si.time();
    const [one, five, fifteen] = loadavg();
    const byState: Record<string, number> = {};
    let connectionCount = 0;
    for (const c of conns) {
      if (!c.protocol.startsWith('tcp') || !c.state) continue;
      byState[c.state] = (byState[c.state] ?? 0) + 1;
      if (c.state !== 'LISTEN') connectionCount++;
    }
    const ifaceInfo = new Map(ifaces.map((i) => [i.iface, i]));
    const summary = (p: Systeminformation.ProcessesProcessData): ProcessSummary => ({
      pid: p.pid,
      name: p.name,
      user: p.user,
      cpu: round2(p.cpu),
      memory: p.memRss * 1024,
      command: redactCommand(p.params ? `${p.command} ${p.params}` : p.command),
    });
    const topN = this.opts.topN ?? 10;
    const sensors: MetricsSnapshot['temperature']['sensors'] = [];
    if (temp.main !== null && temp.main > 0) {
      sensors.push({ name: 'CPU', value: temp.main, high: temp.max || null, critical: null });
    }
    temp.cores.forEach((value, i) => {
      if (value > 0) sensors.push({ name: `Core ${i}`, value, high: null, critical: null });
    });

    return {
      timestamp: new Date().toISOString(),
      agent_id: this.opts.agentId ?? LOCAL_AGENT_ID,
      system: {
        hostname: hostname(),
        kernel: release(),
        os: this.os,
        architecture: machine(),
        uptime: Math.floor(time.uptime),
        bootTime: new Date(time.current - time.uptime * 1000).toISOString(),
      },
      cpu: {
        model: this.model,
        cores: load.cpus.map((c, id) => ({
          id,
          usage: round2(c.load),
          frequency: speed.cores[id] ? Math.round(speed.cores[id] * 1000) : null,
        })),
        totalUsage: round2(load.currentLoad),
        user: round2(load.currentLoadUser + load.currentLoadNice),
        system: round2(load.currentLoadSystem + load.currentLoadIrq),
        iowait: 0,
        steal: round2(load.currentLoadSteal),
        idle: round2(load.currentLoadIdle),
        loadAverage: { one, five, fifteen },
      },
      memory: {
        total: mem.total,
        used: mem.total - mem.available,
        free: mem.free,
        available: mem.available,
        buffers: mem.buffers,
        cached: mem.cached,
        usedPercent: mem.total > 0 ? round2(((mem.total - mem.available) / mem.total) * 100) : 0,
        swapTotal: mem.swaptotal,
        swapUsed: mem.swapused,
        swapFree: mem.swapfree,
        swapPercent: mem.swaptotal > 0 ? round2((mem.swapused / mem.swaptotal) * 100) : 0,
      },
      disk: {
        mounts: fs.map((f) => ({
          device: f.fs,
          mountpoint: f.mount,
          fstype: f.type,
          total: f.size,
          used: f.used,
          free: f.available,
          usedPercent: round2(f.use || 0),
          inodesTotal: 0,
          inodesUsed: 0,
          inodesPercent: 0,
        })),
        // systeminformation only has host-wide operation counts, no per-device bytes.
        io: io
          ? [
              {
                device: 'all',
                readBytes: 0,
                writeBytes: 0,
                readRate: 0,
                writeRate: 0,
                readOps: round2(io.rIO_sec ?? 0),
                writeOps: round2(io.wIO_sec ?? 0),
                utilization: 0,
              },
            ]
          : [],
      },
      network: {
        interfaces: netStats.map((n) => {
          const info = ifaceInfo.get(n.iface);
          return {
            name: n.iface,
            ipv4: info?.ip4 || null,
            ipv6: info?.ip6 || null,
            mac: info?.mac || null,
            speed: info?.speed ?? null,
            up: n.operstate === 'up',
            rxBytes: n.rx_bytes,
            txBytes: n.tx_bytes,
            rxRate: round2(Math.max(0, n.rx_sec ?? 0)),
            txRate: round2(Math.max(0, n.tx_sec ?? 0)),
            rxErrors: n.rx_errors,
            txErrors: n.tx_errors,
            rxDropped: n.rx_dropped,
            txDropped: n.tx_dropped,
          };
        }),
        connectionCount,
        connectionsByState: byState,
      },
      processes: {
        total: procs.all,
        running: procs.running,
        topByCpu: [...procs.list]
          .sort((a, b) => b.cpu - a.cpu)
          .slice(0, topN)
          .map(summary),
        topByMemory: [...procs.list]
          .sort((a, b) => b.memRss - a.memRss)
          .slice(0, topN)
          .map(summary),
      },
      temperature: {
        available: sensors.length > 0,
        ...(sensors.length > 0 ? {} : { reason: 'no temperature sensors reported' }),
        sensors,
      },
      ...this.slow.current(),
    };
  }

  async close(): Promise<void> {
    await this.slow.close();
  }

  private async start(): Promise<void> {
    const si = await import('systeminformation');
    this.si = si;
    const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
    this.os = `${os.distro} ${os.release}`.trim() || `${type()} ${release()}`;
    this.model = `${cpu.manufacturer} ${cpu.brand}`.trim() || 'unknown';
    void this.slow.start();
    // systeminformation computes rates against its own previous call: prime it once.
    await Promise.all([si.currentLoad(), si.networkStats('*'), si.disksIO().catch(() => null)]);
    await new Promise((resolve) => setTimeout(resolve, this.opts.primeMs ?? 200));
    await this.slow.ready(this.opts.slowStartTimeoutMs ?? 5000);
  }
}
