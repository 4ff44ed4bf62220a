import { readdirSync, statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { DiskIo, DiskMount } from '@tyto/contracts';
import { ByteCursor, byteCompare, clampPercent, rate, round2 } from './read';

export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** Filesystems that hold data on a block device. */
const LOCAL_FS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'bcachefs',
  'zfs',
  'f2fs',
  'jfs',
  'reiserfs',
  'nilfs2',
  'vfat',
  'msdos',
  'exfat',
  'ntfs',
  'ntfs3',
  'fuseblk',
  'hfs',
  'hfsplus',
  'ufs',
]);

/**
 * Network and host-share filesystems: real storage, but statfs on them can block for as long as
 * the server is unreachable, so they are measured asynchronously with a deadline.
 */
const REMOTE_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'ceph',
  'fuse.glusterfs',
  '9p',
  'virtiofs',
]);

// Mounts below these are container plumbing or kernel views, never a disk a user thinks about.
const SKIP_PREFIXES = ['/proc/', '/sys/', '/dev/', '/run/', '/var/lib/docker/', '/snap/'];

/** Decodes the octal escapes mounts uses for space, tab, newline and backslash. */
function unescapeMount(s: string): string {
  return s.includes('\\')
    ? s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)))
    : s;
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = line.split(' ', 3);
    if (!fstype) continue;
    out.push({
      device: unescapeMount(device),
      mountpoint: unescapeMount(mountpoint),
      fstype,
    });
  }
  return out;
}

/**
 * Keeps the mounts a user would call disks: local and network filesystems, one entry per device
 * (bind mounts and btrfs subvolumes repeat the device; the shortest mountpoint wins). An overlay
 * root is kept only when nothing else is, which is the case inside a container.
 */
export function selectMounts(entries: MountEntry[]): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  let overlayRoot: MountEntry | undefined;
  for (const entry of entries) {
    if (entry.fstype === 'overlay' && entry.mountpoint === '/') overlayRoot = entry;
    if (!LOCAL_FS.has(entry.fstype) && !REMOTE_FS.has(entry.fstype)) continue;
    if (SKIP_PREFIXES.some((p) => entry.mountpoint.startsWith(p))) continue;
    const seen = byDevice.get(entry.device);
    if (!seen || entry.mountpoint.length < seen.mountpoint.length)
      byDevice.set(entry.device, entry);
  }
  const out = [...byDevice.values()];
  if (out.length === 0 && overlayRoot) out.push(overlayRoot);
  return out.sort((a, b) => byteCompare(a.mountpoint, b.mountpoint));
}

export function isRemoteFs(fstype: string): boolean {
  return REMOTE_FS.has(fstype);
}

export interface StatfsLike {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** Sizes like df: used% is used / (used + available to unprivileged users). */
export function mountMetrics(entry: MountEntry, s: StatfsLike): DiskMount {
  const total = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const inodesUsed = Math.max(0, s.files - s.ffree);
  return {
    device: entry.device,
    mountpoint: entry.mountpoint,
    fstype: entry.fstype,
    total,
    used,
    free,
    usedPercent: used + free > 0 ? round2((used / (used + free)) * 100) : 0,
    // btrfs and some network filesystems report 0 inodes: there is no fixed inode table.
    inodesTotal: s.files,
    inodesUsed,
    inodesPercent: s.files > 0 ? round2((inodesUsed / s.files) * 100) : 0,
  };
}

/**
 * Measures the selected mounts. Local filesystems use statfsSync (cheapest, cannot hang); remote
 * ones go through the thread pool with a deadline, reuse their last figures while a call is
 * still outstanding, and are never queried twice at once.
 */
export class MountSampler {
  private readonly pending = new Set<string>();
  private readonly last = new Map<string, DiskMount>();

  constructor(
    private readonly hostRoot: string,
    private readonly remoteTimeoutMs = 1000,
  ) {}

  async sample(mounts: MountEntry[]): Promise<DiskMount[]> {
    const out: DiskMount[] = [];
    const remote: Promise<void>[] = [];
    for (const entry of mounts) {
      const path = this.hostPath(entry.mountpoint);
      if (!isRemoteFs(entry.fstype)) {
        try {
          out.push(mountMetrics(entry, statfsSync(path)));
        } catch {
          // Unmounted between reading mounts and statfs, or not visible from here: skip it.
        }
        continue;
      }
      const key = entry.mountpoint;
      // Still waiting on a hung server: its last figures are reported below.
      if (this.pending.has(key)) continue;
      this.pending.add(key);
      const call = statfs(path).then(
        (s) => {
          this.last.set(key, mountMetrics(entry, s));
        },
        () => {
          this.last.delete(key);
        },
      );
      const settled = call.finally(() => this.pending.delete(key));
      remote.push(withDeadline(settled, this.remoteTimeoutMs));
    }
    await Promise.all(remote);
    for (const entry of mounts) {
      if (!isRemoteFs(entry.fstype)) continue;
      const last = this.last.get(entry.mountpoint);
      if (last) out.push(last);
    }
    return out.sort((a, b) => byteCompare(a.mountpoint, b.mountpoint));
  }

  private hostPath(mountpoint: string): string {
    return this.hostRoot === '/' ? mountpoint : this.hostRoot + mountpoint;
  }
}

function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void p.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Cumulative counters of one /proc/diskstats line. */
export interface DiskCounters {
  readOps: number;
  readSectors: number;
  writeOps: number;
  writeSectors: number;
  /** Milliseconds the device had I/O in flight. */
  ioTicks: number;
}

const cursor = new ByteCursor();

export function parseDiskstats(buf: Buffer, len = buf.length): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  const c = cursor.reset(buf, 0, len);
  while (!c.done) {
    c.skipToken(); // major
    c.skipToken(); // minor
    const name = c.token();
    const readOps = c.number();
    c.skipToken(); // reads merged
    const readSectors = c.number();
    c.skipToken(); // ms reading
    const writeOps = c.number();
    c.skipToken(); // writes merged
    const writeSectors = c.number();
    c.skipToken(); // ms writing
    c.skipToken(); // in flight
    const ioTicks = c.number();
    if (name !== '' && !Number.isNaN(ioTicks)) {
      out.set(name, { readOps, readSectors, writeOps, writeSectors, ioTicks });
    }
    c.nextLine();
  }
  return out;
}

// Virtual devices whose I/O is memory traffic (or nothing at all).
const VIRTUAL_DISK = /^(loop|ram|zram|fd)\d/;
// Partition names, for when /sys/block cannot be listed.
const PARTITION = /^((sd|hd|vd|xvd)[a-z]+\d+|(nvme\d+n\d+|mmcblk\d+|md\d+)p\d+)$/;

/**
 * Which diskstats names to report. Whole disks only: a partition's I/O is already in its disk's
 * line, and reporting both double-counts. /sys/block lists exactly the whole disks (including
 * device-mapper and md); the regex is the fallback when sysfs is not mounted.
 */
export function isReportedDisk(name: string, wholeDisks: ReadonlySet<string> | null): boolean {
  if (VIRTUAL_DISK.test(name)) return false;
  return wholeDisks ? wholeDisks.has(name) : !PARTITION.test(name);
}

/**
 * Rates between two diskstats readings. A device only in the current reading (hot-plugged) gets
 * zero rates; one only in the previous (unplugged) is dropped; a counter that went backwards
 * (device replaced under the same name, 32-bit wrap) gives zero rather than a negative rate.
 */
export function diskIoRates(
  current: Map<string, DiskCounters>,
  previous: Map<string, DiskCounters> | undefined,
  seconds: number,
  include: (name: string) => boolean,
  displayName: (name: string) => string = (n) => n,
): DiskIo[] {
  const out: DiskIo[] = [];
  for (const [name, cur] of current) {
    if (!include(name)) continue;
    const prev = previous?.get(name);
    const busyMs = rate(cur.ioTicks, prev?.ioTicks, seconds);
    out.push({
      device: displayName(name),
      readBytes: cur.readSectors * 512,
      writeBytes: cur.writeSectors * 512,
      // diskstats counts 512-byte sectors whatever the device's real sector size.
      readRate: round2(rate(cur.readSectors, prev?.readSectors, seconds) * 512),
      writeRate: round2(rate(cur.writeSectors, prev?.writeSectors, seconds) * 512),
      readOps: round2(rate(cur.readOps, prev?.readOps, seconds)),
      writeOps: round2(rate(cur.writeOps, prev?.writeOps, seconds)),
      utilization: round2(clampPercent(busyMs / 10)),
    });
  }
  return out;
}

export interface BlockDevices {
  whole: Set<string>;
  /** device-mapper kernel names to their LVM/crypt names (dm-0 → vg0-root). */
  dmNames: Map<string, string>;
}

/** Lists /sys/block; null when sysfs is not there. */
export function readBlockDevices(
  sysRoot: string,
  readLine: (path: string) => string | null,
): BlockDevices | null {
  let names: string[];
  try {
    names = readdirSync(`${sysRoot}/block`);
  } catch {
    return null;
  }
  const dmNames = new Map<string, string>();
  for (const name of names) {
    if (!name.startsWith('dm-')) continue;
    const dm = readLine(`${sysRoot}/block/${name}/dm/name`);
    if (dm) dmNames.set(name, dm);
  }
  return { whole: new Set(names), dmNames };
}
