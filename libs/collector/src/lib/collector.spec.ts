import childProcess from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import si from 'systeminformation';
import { METRICS_SECTIONS, MetricsSnapshotSchema } from '@tyto/contracts';
import type { MetricsSnapshot } from '@tyto/contracts';
import { ReplayEngine } from '../test/docker-engine';
import { fakeBinary, FAKE_NVIDIA_SMI, FAKE_SYSTEMCTL } from '../test/fake-binaries';
import { copyHost } from '../test/fixtures';
import type { Collector, CollectorOptions } from './collector';
import { LinuxCollector } from './collector';
import { createCollector } from './create-collector';

const KIB = 1024;

/** Addresses as os.networkInterfaces() reported them on the workstation. */
const workstationAddresses = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
    {
      address: '::1',
      netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      family: 'IPv6',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '::1/128',
      scopeid: 0,
    },
  ],
  eth0: [
    {
      address: '192.168.1.20',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '3c:52:82:aa:bb:cc',
      internal: false,
      cidr: '192.168.1.20/24',
    },
    {
      address: 'fe80::3e52:82ff:feaa:bbcc',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '3c:52:82:aa:bb:cc',
      internal: false,
      cidr: 'fe80::3e52:82ff:feaa:bbcc/64',
      scopeid: 2,
    },
    {
      address: '2001:db8::20',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '3c:52:82:aa:bb:cc',
      internal: false,
      cidr: '2001:db8::20/64',
      scopeid: 0,
    },
  ],
  docker0: [
    {
      address: '172.17.0.1',
      netmask: '255.255.0.0',
      family: 'IPv4',
      mac: '02:42:5e:11:22:33',
      internal: false,
      cidr: '172.17.0.1/16',
    },
  ],
});

function expectValid(snapshot: MetricsSnapshot): void {
  const parsed = MetricsSnapshotSchema.safeParse(snapshot);
  expect(parsed.error?.issues ?? []).toEqual([]);
  for (const section of METRICS_SECTIONS) expect(snapshot[section]).toBeDefined();
}

describe(LinuxCollector.name, () => {
  describe('on a recorded workstation (fake procfs/sysfs tree, fake clock)', () => {
    let host: ReturnType<typeof copyHost>;
    let dir: string;
    let engine: ReplayEngine;
    let collector: Collector;
    let now: number;

    beforeEach(async () => {
      host = copyHost('host-workstation');
      dir = mkdtempSync(join(tmpdir(), 'tyto-collector-'));
      engine = new ReplayEngine();
      await engine.listen(join(dir, 'docker.sock'));
      now = 1_000_000;
      collector = new LinuxCollector({
        agentId: 'ws-01',
        procRoot: join(host.root, 'proc'),
        sysRoot: join(host.root, 'sys'),
        hostRoot: host.root,
        primeMs: 0,
        slowIntervalMs: 60_000,
        clock: () => now,
        networkInterfaces: workstationAddresses,
        dockerSocket: join(dir, 'docker.sock'),
        nvidiaSmiPath: fakeBinary(dir, 'nvidia-smi', FAKE_NVIDIA_SMI),
        systemctlPath: fakeBinary(dir, 'systemctl', FAKE_SYSTEMCTL),
      });
    });
    afterEach(async () => {
      await collector.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
      host.remove();
    });

    /** Moves the fake host 5 s on: new counters, pid 2500 exited, pid 3100 started. */
    async function fiveSecondsLater(): Promise<MetricsSnapshot> {
      host.advance('host-workstation-next');
      rmSync(join(host.root, 'proc', '2500'), { recursive: true });
      now += 5000;
      return collector.sample();
    }

    it('fills every section, valid against the contract, on the first sample', async () => {
      const first = await collector.sample();
      expectValid(first);
      expect(first.agent_id).toBe('ws-01');
      expect(first.system).toEqual({
        hostname: 'workstation',
        kernel: '6.8.0-45-generic',
        os: 'Ubuntu 24.04.1 LTS',
        architecture: expect.any(String),
        uptime: 10000,
        bootTime: '2025-01-01T00:00:00.000Z',
      });
      expect(first.cpu.model).toBe('Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz');
      // No previous reading: CPU is the average since boot, every other rate is 0.
      expect(first.cpu.totalUsage).toBe(13.47);
      expect(first.disk.io.every((d) => d.readRate === 0)).toBe(true);
      expect(first.network.interfaces.every((i) => i.rxRate === 0)).toBe(true);
      expect(first.network.connectionCount).toBe(5);
    });

    it('computes exact rates over the interval', async () => {
      await collector.sample();
      const s = await fiveSecondsLater();
      expectValid(s);
      expect(s.system.uptime).toBe(10005);
      expect(s.cpu).toEqual({
        model: 'Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz',
        cores: [
          { id: 0, usage: 80, frequency: 3600 },
          { id: 1, usage: 30, frequency: 800 },
          { id: 2, usage: 0, frequency: 1200 },
          { id: 3, usage: 90, frequency: 4700 },
        ],
        totalUsage: 50,
        user: 32.5,
        system: 15,
        iowait: 2.5,
        steal: 2.5,
        idle: 47.5,
        loadAverage: { one: 1.25, five: 0.8, fifteen: 0.5 },
      });
      expect(s.memory).toMatchObject({
        total: 16318412 * KIB,
        available: 9000000 * KIB,
        swapPercent: 50,
      });
      expect(s.processes.topByCpu.slice(0, 4).map((p) => [p.pid, p.user, p.cpu])).toEqual([
        [1204, 'app', 50],
        [3100, 'postgres', 30],
        [1530, 'app', 20],
        [1, 'root', 1],
      ]);
      expect(s.processes).toMatchObject({ total: 8, running: 2 });
    });

    it('drops a hot-unplugged disk and reports 0 for a counter that reset or wrapped', async () => {
      const first = await collector.sample();
      expect(first.disk.io.map((d) => d.device)).toEqual(['nvme0n1', 'sda', 'sdb', 'vg0-root']);
      const s = await fiveSecondsLater();
      expect(s.disk.io.map((d) => d.device)).toEqual(['nvme0n1', 'sda', 'vg0-root']);
      expect(s.disk.io[0]).toMatchObject({ readRate: 2097152, writeOps: 50, utilization: 50 });
      expect(s.disk.io[1]).toMatchObject({ readRate: 0, writeRate: 0, utilization: 0 });
      const eth0 = s.network.interfaces.find((i) => i.name === 'eth0');
      expect(eth0).toMatchObject({ rxRate: 0, txRate: 1000000 });
      for (const d of s.disk.io) expect(d.readRate).toBeGreaterThanOrEqual(0);
      for (const i of s.network.interfaces) expect(i.rxRate).toBeGreaterThanOrEqual(0);
    });

    it('lists interfaces with addresses, link state and speed', async () => {
      const s = await collector.sample();
      expect(s.network.interfaces.map((i) => [i.name, i.ipv4, i.ipv6, i.up, i.speed])).toEqual([
        ['lo', '127.0.0.1', '::1', true, null],
        ['eth0', '192.168.1.20', '2001:db8::20', true, 1000],
        ['docker0', '172.17.0.1', null, false, null],
        ['wlan0', null, null, false, null],
      ]);
      expect(s.network.connectionsByState).toEqual({
        ESTABLISHED: 3,
        CLOSE_WAIT: 1,
        TIME_WAIT: 1,
        LISTEN: 4,
      });
    });

    it('counts connections as the sum of the non-LISTEN states of the same scan', async () => {
      await collector.sample();
      const s = await fiveSecondsLater();
      // The tables hold 3 ESTABLISHED, 1 CLOSE_WAIT, 1 TIME_WAIT and 4 LISTEN sockets; the
      // fixture's sockstat (8 + 2 in use, 3 TIME_WAIT) counts other sockets and is not used.
      expect(s.network.connectionCount).toBe(5);
    });

    it('measures mounts below the host root', async () => {
      const s = await collector.sample();
      expect(s.disk.mounts.map((m) => m.mountpoint)).toEqual([
        '/',
        '/boot/efi',
        '/home',
        '/media/usb stick',
        '/mnt/nas',
      ]);
      for (const m of s.disk.mounts) {
        expect(m.total).toBeGreaterThan(0);
        expect(m.used).toBeLessThanOrEqual(m.total);
      }
    });

    it('reads temperatures, and GPUs from nvidia-smi and sysfs together', async () => {
      const s = await collector.sample();
      expect(s.temperature.available).toBe(true);
      expect(s.temperature.sensors).toHaveLength(10);
      expect(s.gpu.available).toBe(true);
      expect(s.gpu.gpus.map((g) => [g.vendor, g.index, g.name])).toEqual([
        ['nvidia', 0, 'NVIDIA GeForce RTX 3080'],
        ['nvidia', 1, 'NVIDIA GeForce RTX 3060'],
        ['amd', 0, 'AMD GPU 0x73bf'],
        ['intel', 1, 'Intel GPU 0x4680'],
      ]);
    });

    it('reports Docker containers and systemd services from the background refresh', async () => {
      const s = await collector.sample();
      expect(s.docker.available).toBe(true);
      expect(s.docker.containers.map((c) => c.name)).toEqual([
        'web-nginx',
        'shop-db-1',
        'shop-migrate-1',
      ]);
      expect(s.systemd.available).toBe(true);
      expect(s.systemd.services.find((u) => u.name === 'nginx.service')?.state).toBe('failed');
      // The sample reused the refresh: a second sample asks the engine nothing new.
      const requests = engine.requests.length;
      await collector.sample();
      expect(engine.requests.length).toBe(requests);
    });

    it('takes a sample without forking anything', async () => {
      await collector.sample();
      const spies = (
        ['spawn', 'execFile', 'exec', 'fork', 'spawnSync', 'execFileSync'] as const
      ).map((fn) => jest.spyOn(childProcess, fn));
      try {
        await collector.sample();
        await collector.sample();
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    it('refuses to sample after close', async () => {
      await collector.sample();
      await collector.close();
      await expect(collector.sample()).rejects.toThrow('closed');
    });
  });

  describe('on a host without Docker, systemd, GPUs or sensors', () => {
    let dir: string;
    let collector: Collector;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tyto-collector-'));
    });
    afterEach(async () => {
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    });

    function create(opts: CollectorOptions): Collector {
      const vm = join(__dirname, '..', 'test', 'fixtures', 'host-vm');
      collector = new LinuxCollector({
        procRoot: join(vm, 'proc'),
        sysRoot: join(vm, 'sys'),
        hostRoot: vm,
        primeMs: 0,
        ...opts,
      });
      return collector;
    }

    it('says why each optional section is unavailable instead of failing', async () => {
      const s = await create({
        dockerSocket: join(dir, 'docker.sock'),
        nvidiaSmiPath: join(dir, 'nvidia-smi'),
        systemctlPath: fakeBinary(dir, 'systemctl', FAKE_SYSTEMCTL, {
          TYTO_FAKE_SYSTEMCTL_MODE: 'no-systemd',
        }),
      }).sample();
      expectValid(s);
      expect(s.temperature).toEqual({
        available: false,
        reason: 'no temperature sensors in hwmon or thermal',
        sensors: [],
      });
      expect(s.gpu).toEqual({
        available: false,
        reason: `${join(dir, 'nvidia-smi')} not found; no AMD or Intel GPU in sysfs`,
        gpus: [],
      });
      expect(s.docker).toEqual({
        available: false,
        reason: `Docker socket not found at ${join(dir, 'docker.sock')}`,
        containers: [],
      });
      // systemd's own test (sd_booted) says no, so systemctl is not even run.
      expect(s.systemd).toEqual({
        available: false,
        reason: 'systemd is not running (no /run/systemd/system)',
        services: [],
      });
    });

    it('marks disabled sections as such and starts nothing for them', async () => {
      const s = await create({ disable: ['docker', 'systemd', 'gpu'] }).sample();
      expect([s.docker.reason, s.systemd.reason, s.gpu.reason]).toEqual([
        'disabled',
        'disabled',
        'disabled',
      ]);
    });

    it('starts no nvidia-smi when closed during its first sample', async () => {
      const argsFile = join(dir, 'spawned.json');
      const c = create({
        disable: ['docker', 'systemd'],
        nvidiaSmiPath: fakeBinary(dir, 'nvidia-smi', FAKE_NVIDIA_SMI, {
          TYTO_FAKE_NVIDIA_SMI_ARGS: argsFile,
        }),
      });
      const started = Date.now();
      const pending = c.sample();
      await c.close();
      await pending;
      // Nor does it wait for one (that wait is 4 s).
      expect(Date.now() - started).toBeLessThan(2000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(existsSync(argsFile)).toBe(false);
    });

    it('asks systeminformation, once, for what os-release and cpuinfo do not say', async () => {
      const host = copyHost('host-vm');
      try {
        rmSync(join(host.root, 'etc', 'os-release'));
        writeFileSync(join(host.root, 'proc', 'cpuinfo'), 'processor\t: 0\nBogoMIPS\t: 108.00\n');
        collector = new LinuxCollector({
          procRoot: join(host.root, 'proc'),
          sysRoot: join(host.root, 'sys'),
          hostRoot: host.root,
          primeMs: 0,
          disable: ['docker', 'systemd', 'gpu'],
        });
        const s = await collector.sample();
        const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
        expect(s.system.os).toBe(`${os.distro} ${os.release}`.trim());
        expect(s.cpu.model).toBe(`${cpu.manufacturer} ${cpu.brand}`.trim());
      } finally {
        host.remove();
      }
    });

    it('falls back to /proc/cpuinfo MHz where cpufreq is missing (VMs)', async () => {
      const s = await create({ disable: ['docker', 'systemd', 'gpu'] }).sample();
      expect(s.cpu.cores.map((c) => c.frequency)).toEqual([2596, 2596]);
      expect(s.cpu.model).toBe('AMD EPYC');
    });
  });

  describe("on this machine's real /proc and /sys", () => {
    let collector: Collector;
    beforeAll(() => {
      collector = createCollector({ slowIntervalMs: 60_000, primeMs: 250 });
    });
    afterAll(() => collector.close());

    it('produces a valid snapshot with every number in range', async () => {
      const s = await collector.sample();
      expectValid(s);
      expect(s.agent_id).toBe('local');
      expect(s.system.uptime).toBeGreaterThan(0);
      expect(Date.parse(s.system.bootTime)).toBeLessThan(Date.now());
      expect(s.cpu.cores.length).toBeGreaterThan(0);
      for (const v of [
        s.cpu.totalUsage,
        s.cpu.user,
        s.cpu.system,
        s.cpu.idle,
        s.cpu.iowait,
        s.cpu.steal,
      ]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      for (const c of s.cpu.cores) {
        expect(c.usage).toBeGreaterThanOrEqual(0);
        expect(c.usage).toBeLessThanOrEqual(100);
      }
      expect(s.memory.used).toBeLessThanOrEqual(s.memory.total);
      expect(s.memory.available).toBeLessThanOrEqual(s.memory.total);
      expect(s.memory.swapUsed).toBeLessThanOrEqual(s.memory.swapTotal);
      expect(s.disk.mounts.length).toBeGreaterThan(0);
      for (const m of s.disk.mounts) expect(m.used).toBeLessThanOrEqual(m.total);
      for (const d of s.disk.io) {
        for (const v of [d.readRate, d.writeRate, d.readOps, d.writeOps])
          expect(v).toBeGreaterThanOrEqual(0);
        expect(d.utilization).toBeLessThanOrEqual(100);
      }
      expect(s.network.interfaces.find((i) => i.name === 'lo')?.up).toBe(true);
      for (const i of s.network.interfaces) {
        expect(i.rxRate).toBeGreaterThanOrEqual(0);
        expect(i.txRate).toBeGreaterThanOrEqual(0);
      }
      expect(s.network.connectionCount).toBeGreaterThanOrEqual(0);
      expect(s.processes.total).toBeGreaterThan(0);
      expect(s.processes.running).toBeGreaterThanOrEqual(1);
      expect(s.processes.topByCpu.length).toBeGreaterThan(0);
      expect(s.processes.topByMemory[0].memory).toBeGreaterThan(0);
      expect(s.processes.topByMemory.some((p) => p.pid === process.pid)).toBe(true);
    });

    it('sees its own CPU burn in the next sample', async () => {
      await collector.sample();
      const end = Date.now() + 300;
      while (Date.now() < end) Math.sqrt(Math.random());
      const s = await collector.sample();
      const self = s.processes.topByCpu.find((p) => p.pid === process.pid);
      expect(self?.cpu).toBeGreaterThan(30);
      expect(s.cpu.totalUsage).toBeGreaterThan(0);
    });
  });
});
