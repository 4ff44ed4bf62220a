import { statfsSync } from 'node:fs';
import { fixtureBuffer, fixturePath, fixtureText } from '../test/fixtures';
import {
  diskIoRates,
  isReportedDisk,
  mountMetrics,
  MountSampler,
  parseDiskstats,
  parseMounts,
  readBlockDevices,
  selectMounts,
} from './disk';
import { FileReader } from './read';

describe(parseMounts.name, () => {
  it('decodes the octal escapes used for spaces', () => {
    const mounts = parseMounts(fixtureText('host-workstation', 'proc', '1', 'mounts'));
    expect(mounts).toContainEqual({
      device: '/dev/sdb1',
      mountpoint: '/media/usb stick',
      fstype: 'vfat',
    });
  });
});

describe(selectMounts.name, () => {
  it('keeps real filesystems once per device and drops pseudo, snap and container mounts', () => {
    const mounts = selectMounts(
      parseMounts(fixtureText('host-workstation', 'proc', '1', 'mounts')),
    );
    expect(mounts.map((m) => `${m.mountpoint} ${m.fstype}`)).toEqual([
      '/ ext4',
      '/boot/efi vfat',
      '/home ext4',
      '/media/usb stick vfat',
      '/mnt/nas nfs4',
    ]);
  });

  it('keeps the real root of this captured VM and skips its tmpfs and cgroup mounts', () => {
    const mounts = selectMounts(parseMounts(fixtureText('host-vm', 'proc', 'self', 'mounts')));
    expect(mounts).toEqual([{ device: '/dev/vda', mountpoint: '/', fstype: 'ext4' }]);
  });

  it('keeps an overlay root when it is the only filesystem (inside a container)', () => {
    const text = [
      'overlay / overlay rw,relatime,lowerdir=/l1,upperdir=/u,workdir=/w 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /dev tmpfs rw 0 0',
      'shm /dev/shm tmpfs rw 0 0',
    ].join('\n');
    expect(selectMounts(parseMounts(text))).toEqual([
      { device: 'overlay', mountpoint: '/', fstype: 'overlay' },
    ]);
  });
});

describe(mountMetrics.name, () => {
  it('computes sizes and percentages like df', () => {
    const m = mountMetrics(
      { device: '/dev/sda1', mountpoint: '/home', fstype: 'ext4' },
      { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 500, ffree: 400 },
    );
    expect(m).toEqual({
      device: '/dev/sda1',
      mountpoint: '/home',
      fstype: 'ext4',
      total: 4096000,
      used: 2867200,
      free: 1024000,
      usedPercent: 73.68,
      inodesTotal: 500,
      inodesUsed: 100,
      inodesPercent: 20,
    });
  });

  it('reports 0 % inodes on filesystems without an inode table (btrfs)', () => {
    const m = mountMetrics(
      { device: '/dev/sdc', mountpoint: '/data', fstype: 'btrfs' },
      { bsize: 4096, blocks: 10, bfree: 5, bavail: 5, files: 0, ffree: 0 },
    );
    expect(m.inodesPercent).toBe(0);
    expect(m.inodesUsed).toBe(0);
  });
});

describe(MountSampler.name, () => {
  it('measures local and network mounts under a host root, skipping vanished mountpoints', async () => {
    const sampler = new MountSampler(fixturePath('host-workstation'));
    const out = await sampler.sample([
      { device: '/dev/nvme0n1p2', mountpoint: '/', fstype: 'ext4' },
      { device: 'nas.lan:/export/backup', mountpoint: '/mnt/nas', fstype: 'nfs4' },
      { device: '/dev/sdz1', mountpoint: '/mnt/gone', fstype: 'ext4' },
    ]);
    const real = statfsSync(fixturePath('host-workstation'));
    expect(out.map((m) => m.mountpoint)).toEqual(['/', '/mnt/nas']);
    expect(out[0].total).toBe(real.blocks * real.bsize);
    for (const m of out) {
      expect(m.used).toBeLessThanOrEqual(m.total);
      expect(m.usedPercent).toBeGreaterThanOrEqual(0);
      expect(m.usedPercent).toBeLessThanOrEqual(100);
    }
  });
});

describe(parseDiskstats.name, () => {
  it('reads the counters of a captured /proc/diskstats (kernel 6.x, 20 columns)', () => {
    const stats = parseDiskstats(fixtureBuffer('host-vm', 'proc', 'diskstats'));
    expect(stats.get('vda')).toEqual({
      readOps: 62527,
      readSectors: 2643346,
      writeOps: 42668,
      writeSectors: 4668672,
      ioTicks: 22220,
    });
    expect(stats.has('loop0')).toBe(true);
  });

  it('reads the 14-column format of kernels before 4.18', () => {
    const buf = Buffer.from('   8       0 sda 10 0 80 5 20 0 160 7 0 30 12\n');
    expect(parseDiskstats(buf).get('sda')).toEqual({
      readOps: 10,
      readSectors: 80,
      writeOps: 20,
      writeSectors: 160,
      ioTicks: 30,
    });
  });
});

describe(isReportedDisk.name, () => {
  const whole = new Set(['nvme0n1', 'sda', 'dm-0', 'loop0', 'zram0']);

  it('reports whole disks listed in /sys/block and skips partitions and memory devices', () => {
    expect(isReportedDisk('nvme0n1', whole)).toBe(true);
    expect(isReportedDisk('dm-0', whole)).toBe(true);
    expect(isReportedDisk('nvme0n1p1', whole)).toBe(false);
    expect(isReportedDisk('loop0', whole)).toBe(false);
    expect(isReportedDisk('zram0', whole)).toBe(false);
  });

  it('falls back to partition names when sysfs is not available', () => {
    expect(isReportedDisk('sda', null)).toBe(true);
    expect(isReportedDisk('sda1', null)).toBe(false);
    expect(isReportedDisk('nvme0n1', null)).toBe(true);
    expect(isReportedDisk('nvme0n1p2', null)).toBe(false);
    expect(isReportedDisk('mmcblk0p1', null)).toBe(false);
    expect(isReportedDisk('ram0', null)).toBe(false);
  });
});

describe(diskIoRates.name, () => {
  const before = parseDiskstats(fixtureBuffer('host-workstation', 'proc', 'diskstats'));
  const after = parseDiskstats(fixtureBuffer('host-workstation-next', 'proc', 'diskstats'));
  const devices = readBlockDevices(fixturePath('host-workstation', 'sys'), (p) =>
    new FileReader().line(p),
  );
  const include = (name: string): boolean => isReportedDisk(name, devices?.whole ?? null);
  const display = (name: string): string => devices?.dmNames.get(name) ?? name;

  it('gives zero rates on the first reading and names device-mapper volumes', () => {
    const io = diskIoRates(before, undefined, 0, include, display);
    expect(io.map((d) => d.device)).toEqual(['nvme0n1', 'sda', 'sdb', 'vg0-root']);
    expect(io.every((d) => d.readRate === 0 && d.utilization === 0)).toBe(true);
    expect(io[0].readBytes).toBe(800000 * 512);
  });

  it('computes bytes/s, ops/s and utilisation over the interval', () => {
    const nvme = diskIoRates(after, before, 5, include, display).find(
      (d) => d.device === 'nvme0n1',
    );
    expect(nvme).toEqual({
      device: 'nvme0n1',
      readBytes: 820480 * 512,
      writeBytes: 410240 * 512,
      readRate: 2097152,
      writeRate: 1048576,
      readOps: 100,
      writeOps: 50,
      utilization: 50,
    });
  });

  it('drops a hot-unplugged disk and never reports a negative rate for a reset counter', () => {
    const io = diskIoRates(after, before, 5, include, display);
    expect(io.map((d) => d.device)).toEqual(['nvme0n1', 'sda', 'vg0-root']);
    const sda = io.find((d) => d.device === 'sda');
    expect(sda).toMatchObject({
      readRate: 0,
      writeRate: 0,
      readOps: 0,
      writeOps: 0,
      utilization: 0,
    });
  });

  it('caps utilisation at 100 % (io_ticks can run ahead of wall time on stacked devices)', () => {
    const dm = diskIoRates(after, before, 5, include, display).find((d) => d.device === 'vg0-root');
    expect(dm?.utilization).toBe(100);
    expect(dm?.readRate).toBe(1677721.6);
  });
});

describe(readBlockDevices.name, () => {
  it('lists whole disks and device-mapper names', () => {
    const devices = readBlockDevices(fixturePath('host-workstation', 'sys'), (p) =>
      new FileReader().line(p),
    );
    expect([...(devices?.whole ?? [])].sort()).toEqual(['dm-0', 'loop0', 'nvme0n1', 'sda', 'sdb']);
    expect(devices?.dmNames.get('dm-0')).toBe('vg0-root');
  });

  it('is null without sysfs', () => {
    expect(readBlockDevices('/nonexistent', () => null)).toBeNull();
  });
});
