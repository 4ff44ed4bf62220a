import type { Collector, CollectorOptions } from './collector';
import { LinuxCollector } from './collector';
import { SystemInformationCollector } from './si-collector';

export type { Collector, CollectorOptions, SlowSection } from './collector';
export { LinuxCollector } from './collector';
export { SystemInformationCollector } from './si-collector';

/**
 * Creates the host metrics collector: procfs/sysfs on Linux (or wherever `procRoot` points),
 * systeminformation elsewhere. The first `sample()` primes the rate counters.
 *
 * @example
 * const collector = createCollector({ agentId: 'web-01' });
 * const snapshot = await collector.sample();
 * await collector.close();
 */
export function createCollector(opts: CollectorOptions = {}): Collector {
  if (process.platform === 'linux' || opts.procRoot !== undefined) return new LinuxCollector(opts);
  return new SystemInformationCollector(opts);
}
