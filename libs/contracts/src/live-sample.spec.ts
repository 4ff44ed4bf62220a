import {
  expandLiveSample,
  LIVE_COMMAND_MAX,
  LIVE_NOT_RECEIVED,
  LiveSampleSchema,
  toLiveSample,
} from './live-sample';
import type { LiveSample } from './live-sample';
import { MetricsSnapshotSchema } from './metrics';
import type { MetricsSnapshot, ProcessSummary, SystemdService } from './metrics';

// The API's and the web's snapshot factories live in their apps, which a contract lib may not
// import; this one is a host with every section filled, as a Docker and systemd host reports.
const proc = (pid: number, name: string, cpu: number, command = `/usr/bin/${name}`) =>
  ({ pid, name, user: 'root', cpu, memory: 50_000_000 + pid, command }) satisfies ProcessSummary;

const service = (name: string, state = 'active'): SystemdService => ({
  name: `${name}.service`,
  description: `The ${name} daemon`,
  load: 'loaded',
  state,
  subState: state === 'active' ? 'running' : 'dead',
});

function hostSnapshot(at = 0, overrides: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  const processes = [
    proc(2940, 'beam.smp', 4.5, `/usr/lib/erlang/erts-13.1.5/bin/beam.smp ${'-W w '.repeat(100)}`),
    proc(
      2191,
      'postgres',
      1.5,
      '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main',
    ),
    proc(6047, 'node', 1, 'node dist/apps/api/main.js'),
  ];
  return {
    timestamp: new Date(Date.UTC(2026, 0, 15, 10, 30) + at).toISOString(),
    agent_id: 'web-01',
    system: {
      hostname: 'web-01',
      kernel: '6.1.0-18-amd64',
      os: 'Debian GNU/Linux 12 (bookworm)',
      architecture: 'x86_64',
      uptime: 86_400,
      bootTime: '2026-01-14T10:30:00.000Z',
    },
    cpu: {
      model: 'AMD EPYC',
      cores: [
        { id: 0, usage: 12, frequency: 2596 },
        { id: 1, usage: 30, frequency: 2596 },
      ],
      totalUsage: 21,
      user: 15,
      system: 6,
      iowait: 0,
      steal: 0,
      idle: 79,
      loadAverage: { one: 0.49, five: 0.68, fifteen: 0.34 },
    },
    memory: {
      total: 16e9,
      used: 8e9,
      free: 4e9,
      available: 10e9,
      buffers: 1e9,
      cached: 3e9,
      usedPercent: 50,
      swapTotal: 4e9,
      swapUsed: 0,
      swapFree: 4e9,
      swapPercent: 0,
    },
    disk: {
      mounts: [
        {
          device: '/dev/vda',
          mountpoint: '/',
          fstype: 'ext4',
          total: 5e11,
          used: 1e11,
          free: 4e11,
          usedPercent: 20,
          inodesTotal: 16_777_216,
          inodesUsed: 462_979,
          inodesPercent: 2.76,
        },
      ],
      io: [
        {
          device: 'vda',
          readBytes: 1e9,
          writeBytes: 2e9,
          readRate: 100,
          writeRate: 2000,
          readOps: 1,
          writeOps: 5,
          utilization: 1,
        },
      ],
    },
    network: {
      interfaces: [
        {
          name: 'eth0',
          ipv4: '192.168.1.100',
          ipv6: 'fe80::1',
          mac: '52:54:00:12:34:56',
          speed: 1000,
          up: true,
          rxBytes: 1e9,
          txBytes: 5e8,
          rxRate: 10_000,
          txRate: 5000,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 0,
        },
      ],
      connectionCount: 42,
      connectionsByState: { ESTABLISHED: 30, LISTEN: 10, TIME_WAIT: 2 },
    },
    processes: { total: 200, running: 3, topByCpu: processes, topByMemory: [...processes] },
    temperature: {
      available: true,
      sensors: [{ name: 'Core 0', value: 45, high: 80, critical: 100 }],
    },
    gpu: {
      available: true,
      gpus: [
        {
          index: 0,
          name: 'NVIDIA GeForce RTX 3080',
          vendor: 'nvidia',
          utilization: 45,
          memoryUsed: 4e9,
          memoryTotal: 1e10,
          temperature: 65,
          powerWatts: 220,
        },
      ],
    },
    docker: {
      available: true,
      containers: [
        {
          id: 'abc123',
          name: 'nginx',
          image: 'nginx:1.27',
          status: 'Up 2 hours',
          state: 'running',
          health: 'healthy',
          restarts: 0,
          cpu: 0.5,
          memory: 5e7,
          memoryLimit: 1e9,
          networkRx: 1e6,
          networkTx: 2e6,
          blockRead: 0,
          blockWrite: 4096,
        },
      ],
    },
    systemd: {
      available: true,
      services: [service('nginx'), service('postgresql'), service('backup', 'inactive')],
    },
    ...overrides,
  };
}

// The next sample as the collector builds it: fast sections new, slow sections rebuilt around
// the same item arrays (see SlowSections.current()).
function nextSample(previous: MetricsSnapshot, at: number): MetricsSnapshot {
  return {
    ...hostSnapshot(at),
    gpu: { ...previous.gpu },
    docker: { ...previous.docker },
    systemd: { ...previous.systemd },
  };
}

// The same values in new objects, as after a trip through JSON (an agent's sample on the hub).
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// What a client holds for a sample: the complete live sample (commands cut).
const toComplete = (s: MetricsSnapshot): MetricsSnapshot => expandLiveSample(toLiveSample(s));

describe('toLiveSample', () => {
  it('cuts a 300-character command to 256 characters ending in an ellipsis', () => {
    const long = `/usr/bin/java ${'x'.repeat(286)}`;
    expect(long).toHaveLength(300);
    const snapshot = hostSnapshot(0, {
      processes: { total: 1, running: 1, topByCpu: [proc(1, 'java', 9, long)], topByMemory: [] },
    });

    const [cut] = toLiveSample(snapshot).processes.topByCpu;

    expect(cut.command).toHaveLength(LIVE_COMMAND_MAX);
    expect(cut.command).toBe(`${long.slice(0, LIVE_COMMAND_MAX - 1)}…`);
    expect(cut).toEqual({ ...proc(1, 'java', 9), command: cut.command });
  });

  it('keeps a command of exactly 256 characters whole', () => {
    const exact = `/usr/bin/java ${'x'.repeat(242)}`;
    expect(exact).toHaveLength(256);
    const snapshot = hostSnapshot(0, {
      processes: { total: 1, running: 1, topByCpu: [], topByMemory: [proc(1, 'java', 9, exact)] },
    });

    expect(toLiveSample(snapshot).processes.topByMemory[0].command).toBe(exact);
  });

  it('cuts before a surrogate pair rather than through it', () => {
    const command = `${'x'.repeat(254)}😀😀`;
    const snapshot = hostSnapshot(0, {
      processes: { total: 1, running: 1, topByCpu: [proc(1, 'x', 1, command)], topByMemory: [] },
    });

    const cut = toLiveSample(snapshot).processes.topByCpu[0].command;

    expect(cut).toBe(`${'x'.repeat(254)}…`);
    expect(cut?.length).toBeLessThanOrEqual(LIVE_COMMAND_MAX);
  });

  it('sends every section in the first sample of an agent', () => {
    const snapshot = hostSnapshot();
    const live = toLiveSample(snapshot);

    expect(live.gpu).toBe(snapshot.gpu);
    expect(live.docker).toBe(snapshot.docker);
    expect(live.systemd).toBe(snapshot.systemd);
    expect(LiveSampleSchema.parse(live)).toEqual(live);
  });

  it('omits slow sections unchanged since the previous sample', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);

    const live = toLiveSample(second, first);

    expect('gpu' in live || 'docker' in live || 'systemd' in live).toBe(false);
    expect(live.cpu.cores).toBe(second.cpu.cores);
    expect(LiveSampleSchema.parse(live)).toEqual(live);
  });

  it('omits inventory unchanged since the previous sample, and keeps every reading', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);

    const live = toLiveSample(second, first);

    expect(live.system).toEqual({ uptime: second.system.uptime });
    expect('model' in live.cpu).toBe(false);
    const [mount] = live.disk.mounts;
    expect(Object.keys(mount).sort()).toEqual(
      ['free', 'inodesPercent', 'inodesUsed', 'mountpoint', 'used', 'usedPercent'].sort(),
    );
    for (const i of live.network.interfaces) {
      expect(['ipv4', 'ipv6', 'mac', 'speed'].filter((k) => k in i)).toEqual([]);
      expect(i).toMatchObject({ name: expect.any(String), rxRate: expect.any(Number) });
    }
    for (const p of [...live.processes.topByCpu, ...live.processes.topByMemory]) {
      expect(Object.keys(p).sort()).toEqual(['cpu', 'memory', 'pid']);
    }
    expect(JSON.stringify(live).length).toBeLessThan(
      JSON.stringify(toLiveSample(second)).length / 2,
    );
  });

  it('sends the inventory of what changed or is new: a reused pid, a new mount, a new address', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);
    const [reused, ...others] = second.processes.topByCpu;
    second.processes.topByCpu = [
      { ...reused, name: 'sshd', command: '/usr/sbin/sshd -D' },
      ...others,
      proc(7777, 'newcomer', 0.5),
    ];
    second.disk.mounts = [...second.disk.mounts, { ...second.disk.mounts[0], mountpoint: '/srv' }];
    second.network.interfaces = second.network.interfaces.map((i, n) =>
      n === 0 ? { ...i, ipv4: '198.51.100.7' } : i,
    );

    const live = toLiveSample(second, first);

    expect(live.processes.topByCpu[0]).toEqual({
      pid: reused.pid,
      name: 'sshd',
      cpu: reused.cpu,
      memory: reused.memory,
      command: '/usr/sbin/sshd -D',
    });
    expect(live.processes.topByCpu.at(-1)).toEqual(proc(7777, 'newcomer', 0.5));
    expect(live.disk.mounts.at(-1)).toEqual(second.disk.mounts.at(-1));
    expect(live.network.interfaces[0]).toMatchObject({ ipv4: '198.51.100.7' });
    expect('ipv6' in live.network.interfaces[0]).toBe(false);
    expect(expandLiveSample(live, toComplete(first))).toEqual(toComplete(second));
  });

  it('omits slow sections equal in value though not the same objects', () => {
    const first = hostSnapshot();
    const second = copy(nextSample(first, 5000));
    // An optional property left undefined is absent in JSON, so it is no change either.
    second.gpu = { ...second.gpu, reason: undefined };

    const live = toLiveSample(second, first);

    expect('gpu' in live || 'docker' in live || 'systemd' in live).toBe(false);
  });

  it('sends the slow sections that changed, and only those', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);
    second.systemd = {
      available: true,
      services: [service('nginx', 'failed'), ...first.systemd.services.slice(1)],
    };
    second.docker = { available: false, reason: 'Docker socket not found', containers: [] };

    const live = toLiveSample(second, first);

    expect(live.systemd).toBe(second.systemd);
    expect(live.docker).toBe(second.docker);
    expect('gpu' in live).toBe(false);
  });

  it('leaves its inputs as they were', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);
    second.systemd = { available: false, reason: 'systemctl timed out', services: [] };
    const [firstBefore, secondBefore] = [copy(first), copy(second)];

    toLiveSample(first);
    toLiveSample(second, first);

    expect(first).toEqual(firstBefore);
    expect(second).toEqual(secondBefore);
  });
});

describe('expandLiveSample', () => {
  // What a client rebuilds from the live samples it received, in order.
  function roundTrip(samples: MetricsSnapshot[]): MetricsSnapshot[] {
    let sent: MetricsSnapshot | undefined;
    let received: MetricsSnapshot | undefined;
    return samples.map((snapshot) => {
      const live = copy(toLiveSample(snapshot, sent));
      sent = snapshot;
      received = expandLiveSample(LiveSampleSchema.parse(live), received);
      return received;
    });
  }

  // The original with its commands cut as a live sample cuts them.
  const withCutCommands = (snapshot: MetricsSnapshot): MetricsSnapshot => ({
    ...snapshot,
    processes: expandLiveSample(toLiveSample(snapshot)).processes,
  });

  it('rebuilds every sample, apart from cut commands, from the live samples', () => {
    const first = hostSnapshot();
    const second = nextSample(first, 5000);
    const third = { ...nextSample(second, 10_000), systemd: { ...second.systemd, services: [] } };
    const fourth = nextSample(third, 15_000);
    const samples = [first, second, third, fourth];

    const rebuilt = roundTrip(samples);

    expect(rebuilt).toEqual(samples.map(withCutCommands));
    expect(rebuilt.map((s) => MetricsSnapshotSchema.safeParse(s).success)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(first.processes.topByCpu[0].command.length).toBeGreaterThan(LIVE_COMMAND_MAX);
  });

  it('reports an omitted section unavailable when there is no previous sample', () => {
    const { gpu: _gpu, docker: _docker, systemd: _systemd, ...live } = hostSnapshot();

    const expanded = expandLiveSample(live);

    expect(expanded.gpu).toEqual({ available: false, reason: LIVE_NOT_RECEIVED, gpus: [] });
    expect(expanded.docker).toEqual({
      available: false,
      reason: LIVE_NOT_RECEIVED,
      containers: [],
    });
    expect(expanded.systemd).toEqual({
      available: false,
      reason: LIVE_NOT_RECEIVED,
      services: [],
    });
  });

  it('leaves its inputs as they were', () => {
    const previous = hostSnapshot();
    const live: LiveSample = toLiveSample(nextSample(previous, 5000), previous);
    const [previousBefore, liveBefore] = [copy(previous), copy(live)];

    expandLiveSample(live, previous);

    expect(previous).toEqual(previousBefore);
    expect(live).toEqual(liveBefore);
  });
});
