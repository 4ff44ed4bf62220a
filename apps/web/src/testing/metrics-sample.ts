import { LOCAL_AGENT_ID, type MetricsSnapshot, type ProcessSummary } from '@tyto/contracts';
import type { DashboardSample } from '../app/dashboard/dashboard.api';

// A plausible sample of a small two-core host; tests override what they look at.
export function metricsSample(overrides: Partial<DashboardSample> = {}): DashboardSample {
  return {
    timestamp: '2026-01-15T10:30:00.000Z',
    agent_id: LOCAL_AGENT_ID,
    system: {
      hostname: 'test-host',
      kernel: '6.1.0-18-amd64',
      os: 'Debian GNU/Linux 12',
      architecture: 'x64',
      uptime: 93_784,
      bootTime: '2026-01-14T08:27:00.000Z',
    },
    cpu: {
      model: 'Test CPU',
      cores: [
        { id: 0, usage: 12.5, frequency: 2400 },
        { id: 1, usage: 37.5, frequency: null },
      ],
      totalUsage: 25,
      user: 20,
      system: 5,
      iowait: 0,
      steal: 0,
      idle: 75,
      loadAverage: { one: 0.5, five: 0.4, fifteen: 0.3 },
    },
    memory: {
      total: 8 * 1024 ** 3,
      used: 2 * 1024 ** 3,
      free: 4 * 1024 ** 3,
      available: 6 * 1024 ** 3,
      buffers: 0,
      cached: 2 * 1024 ** 3,
      usedPercent: 25,
      swapTotal: 0,
      swapUsed: 0,
      swapFree: 0,
      swapPercent: 0,
    },
    disk: {
      mounts: [
        {
          device: '/dev/sda1',
          mountpoint: '/',
          fstype: 'ext4',
          total: 100 * 1024 ** 3,
          used: 40 * 1024 ** 3,
          free: 60 * 1024 ** 3,
          usedPercent: 40,
          inodesTotal: 1000,
          inodesUsed: 100,
          inodesPercent: 10,
        },
      ],
      io: [],
    },
    network: {
      interfaces: [networkInterface('lo', 5000, 5000), networkInterface('eth0', 1000, 250)],
      connectionCount: 2,
      connectionsByState: { ESTABLISHED: 2, LISTEN: 1 },
    },
    processes: {
      total: 120,
      running: 2,
      topByCpu: [processSummary(4242, 'node', 35), processSummary(1, 'systemd', 0.5)],
      topByMemory: [processSummary(4242, 'node', 35)],
    },
    ...overrides,
  };
}

// The same host with every section of the contract; the optional ones report nothing to read, as
// on a small VM without sensors, GPUs, Docker or systemd.
export function snapshotSample(overrides: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    ...metricsSample(),
    processes: {
      total: 120,
      running: 2,
      topByCpu: [processSummary(4242, 'node', 35), processSummary(1, 'systemd', 0.5)],
      topByMemory: [processSummary(4242, 'node', 35)],
    },
    temperature: { available: false, reason: 'no hwmon sensors', sensors: [] },
    gpu: { available: false, reason: 'no GPU found', gpus: [] },
    docker: { available: false, reason: 'Docker socket not found', containers: [] },
    systemd: { available: false, reason: 'systemctl not found', services: [] },
    ...overrides,
  };
}

export function processSummary(pid: number, name: string, cpu: number): ProcessSummary {
  return {
    pid,
    name,
    user: 'root',
    cpu,
    memory: 64 * 1024 ** 2,
    command: `/usr/bin/${name}`,
  };
}

function networkInterface(
  name: string,
  rxRate: number,
  txRate: number,
): DashboardSample['network']['interfaces'][number] {
  return {
    name,
    ipv4: null,
    ipv6: null,
    mac: null,
    speed: null,
    up: true,
    rxBytes: 0,
    txBytes: 0,
    rxRate,
    txRate,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  };
}
