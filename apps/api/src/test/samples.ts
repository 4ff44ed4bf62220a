import type { MetricsSnapshot, ProcessSummary } from '@tyto/contracts';

/** The numbers a test snapshot carries; everything else in it is fixed filler. */
export interface SampleValues {
  cpu: number;
  memory: number;
  swap: number;
  load: number;
  /** Hottest sensor; a second, cooler sensor reads 30. */
  temperature: number;
  gpu: number;
  /** Rates of the one disk, `sda`. */
  diskRead: number;
  diskWrite: number;
  /** Rates of `eth0`; `lo` always carries LOOPBACK_RATE, which the history must not count. */
  rx: number;
  tx: number;
  /** Used % of `/`; `/data` is always 10. */
  rootUsed: number;
  processes: ProcessSummary[];
}

export const LOOPBACK_RATE = 99_999;

export const proc = (pid: number, name: string, cpu: number, memory: number): ProcessSummary => ({
  pid,
  name,
  user: 'root',
  cpu,
  memory,
  command: `/usr/bin/${name} --serve`,
});

export const SAMPLE_DEFAULTS: SampleValues = {
  cpu: 12,
  memory: 40,
  swap: 5,
  load: 0.5,
  temperature: 55,
  gpu: 20,
  diskRead: 1000,
  diskWrite: 500,
  rx: 2000,
  tx: 300,
  rootUsed: 60,
  processes: [proc(100, 'postgres', 3, 400_000_000), proc(200, 'node', 1, 200_000_000)],
};

/** A complete, schema-valid snapshot of `agentId` at `at` (epoch ms) with the given numbers. */
export function snapshot(
  agentId: string,
  at: number,
  values: Partial<SampleValues> = {},
): MetricsSnapshot {
  const v = { ...SAMPLE_DEFAULTS, ...values };
  const total = 16 * 2 ** 30;
  const mount = (mountpoint: string, usedPercent: number) => ({
    device: mountpoint === '/' ? '/dev/sda1' : '/dev/sda2',
    mountpoint,
    fstype: 'ext4',
    total: 100 * 2 ** 30,
    used: usedPercent * 2 ** 30,
    free: (100 - usedPercent) * 2 ** 30,
    usedPercent,
    inodesTotal: 1000,
    inodesUsed: 10,
    inodesPercent: 1,
  });
  const nic = (name: string, rxRate: number, txRate: number) => ({
    name,
    ipv4: name === 'lo' ? '127.0.0.1' : '10.0.0.2',
    ipv6: null,
    mac: null,
    speed: name === 'lo' ? null : 1000,
    up: true,
    rxBytes: 1e9,
    txBytes: 1e9,
    rxRate,
    txRate,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  });
  const byCpu = [...v.processes].sort((a, b) => b.cpu - a.cpu);
  const byMemory = [...v.processes].sort((a, b) => b.memory - a.memory);
  return {
    timestamp: new Date(at).toISOString(),
    agent_id: agentId,
    system: {
      hostname: agentId,
      kernel: '6.1.0',
      os: 'Debian GNU/Linux 12',
      architecture: 'x64',
      uptime: 1000,
      bootTime: new Date(at - 1_000_000).toISOString(),
    },
    cpu: {
      model: 'Test CPU',
      cores: [{ id: 0, usage: v.cpu, frequency: 2400 }],
      totalUsage: v.cpu,
      user: v.cpu / 2,
      system: v.cpu / 2,
      iowait: 0,
      steal: 0,
      idle: 100 - v.cpu,
      loadAverage: { one: v.load, five: v.load, fifteen: v.load },
    },
    memory: {
      total,
      used: (total * v.memory) / 100,
      free: total - (total * v.memory) / 100,
      available: total - (total * v.memory) / 100,
      buffers: 0,
      cached: 0,
      usedPercent: v.memory,
      swapTotal: 2 ** 30,
      swapUsed: (2 ** 30 * v.swap) / 100,
      swapFree: 2 ** 30 - (2 ** 30 * v.swap) / 100,
      swapPercent: v.swap,
    },
    disk: {
      mounts: [mount('/', v.rootUsed), mount('/data', 10)],
      io: [
        {
          device: 'sda',
          readBytes: 1e9,
          writeBytes: 1e9,
          readRate: v.diskRead,
          writeRate: v.diskWrite,
          readOps: 10,
          writeOps: 10,
          utilization: 5,
        },
      ],
    },
    network: {
      interfaces: [nic('lo', LOOPBACK_RATE, LOOPBACK_RATE), nic('eth0', v.rx, v.tx)],
      connectionCount: 3,
      connectionsByState: { ESTABLISHED: 2, LISTEN: 1 },
    },
    processes: { total: 120, running: 2, topByCpu: byCpu, topByMemory: byMemory },
    temperature: {
      available: true,
      sensors: [
        { name: 'cpu', value: v.temperature, high: 80, critical: 95 },
        { name: 'nvme', value: 30, high: null, critical: null },
      ],
    },
    gpu: {
      available: true,
      gpus: [
        {
          index: 0,
          name: 'Test GPU',
          vendor: 'nvidia',
          utilization: v.gpu,
          memoryUsed: 1e9,
          memoryTotal: 8e9,
          temperature: 60,
          powerWatts: 100,
        },
      ],
    },
    docker: { available: false, reason: 'docker socket not found', containers: [] },
    systemd: {
      available: true,
      services: [
        {
          name: 'nginx.service',
          description: 'nginx, "the" web server',
          load: 'loaded',
          state: 'active',
          subState: 'running',
        },
      ],
    },
  };
}
