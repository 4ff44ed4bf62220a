import type { MemoryMetrics } from '@tyto/contracts';
import { round2 } from './read';

/** /proc/meminfo as bytes by field name (the kernel prints kB, meaning KiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const value = Number.parseInt(text.slice(colon + 1, end), 10);
      if (Number.isFinite(value)) {
        // Counts such as HugePages_Total carry no unit.
        out.set(text.slice(start, colon), text.endsWith('kB', end) ? value * 1024 : value);
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * The memory section. `used` is total − available, as free(1) and htop compute it since
 * MemAvailable exists (Linux 3.14): page cache the kernel can drop is not "used".
 * `cached` includes reclaimable slab, like free's buff/cache column.
 */
export function memoryMetrics(info: Map<string, number>): MemoryMetrics {
  const get = (key: string): number => info.get(key) ?? 0;
  const total = get('MemTotal');
  const free = get('MemFree');
  const buffers = get('Buffers');
  const cached = get('Cached') + get('SReclaimable');
  // Kernels before 3.14 lack MemAvailable; free + buffers + cache is the classic estimate.
  const available = info.get('MemAvailable') ?? Math.min(total, free + buffers + cached);
  const used = Math.max(0, total - available);
  const swapTotal = get('SwapTotal');
  const swapFree = Math.min(get('SwapFree'), swapTotal);
  const swapUsed = swapTotal - swapFree;
  return {
    total,
    used,
    free,
    available,
    buffers,
    cached,
    usedPercent: total > 0 ? round2((used / total) * 100) : 0,
    swapTotal,
    swapUsed,
    swapFree,
    swapPercent: swapTotal > 0 ? round2((swapUsed / swapTotal) * 100) : 0,
  };
}
