import { endianness } from 'node:os';
import { readFileSync } from 'node:fs';

export interface HostConstants {
  /** USER_HZ: the unit of the tick counters in /proc/stat and /proc/[pid]/stat. */
  clockTicks: number;
  /** Bytes per page: the unit of rss in /proc/[pid]/stat. */
  pageSize: number;
}

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;
const DEFAULTS: HostConstants = { clockTicks: 100, pageSize: 4096 };

/**
 * Reads page size and clock ticks from the ELF auxiliary vector the kernel handed this process,
 * which is what libc's sysconf() does: exact, and no `getconf` fork. The auxv is an array of
 * (type, value) machine words in native byte order.
 */
export function parseAuxv(buf: Buffer, wordSize: 4 | 8, littleEndian: boolean): HostConstants {
  const out = { ...DEFAULTS };
  const step = wordSize * 2;
  for (let off = 0; off + step <= buf.length; off += step) {
    const type = readWord(buf, off, wordSize, littleEndian);
    const value = readWord(buf, off + wordSize, wordSize, littleEndian);
    if (type === 0) break;
    if (type === AT_PAGESZ && value > 0) out.pageSize = value;
    if (type === AT_CLKTCK && value > 0) out.clockTicks = value;
  }
  return out;
}

function readWord(buf: Buffer, off: number, size: 4 | 8, le: boolean): number {
  if (size === 4) return le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
  return Number(le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off));
}

/** The running kernel's constants; the defaults (100 Hz, 4 KiB) when auxv is unreadable. */
export function readHostConstants(auxvPath = '/proc/self/auxv'): HostConstants {
  try {
    const wordSize = process.arch === 'ia32' || process.arch === 'arm' ? 4 : 8;
    return parseAuxv(readFileSync(auxvPath), wordSize, endianness() === 'LE');
  } catch {
    return { ...DEFAULTS };
  }
}

/** The soft RLIMIT_NOFILE from /proc/self/limits, null when unreadable or unlimited. */
export function openFileLimit(limitsPath = '/proc/self/limits'): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync(limitsPath, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
