import { MetricsSnapshotSchema } from '@tyto/contracts';
import { LinuxCollector } from './collector';
import { createCollector } from './create-collector';
import { SystemInformationCollector } from './si-collector';

describe(SystemInformationCollector.name, () => {
  it('produces a valid snapshot from systeminformation (the non-Linux path)', async () => {
    const collector = new SystemInformationCollector({
      disable: ['docker', 'systemd', 'gpu'],
      primeMs: 100,
    });
    try {
      const s = await collector.sample();
      expect(MetricsSnapshotSchema.safeParse(s).error?.issues ?? []).toEqual([]);
      expect(s.processes.total).toBeGreaterThan(0);
      expect(s.cpu.cores.length).toBeGreaterThan(0);
      expect(s.memory.used).toBeLessThanOrEqual(s.memory.total);
      expect(s.disk.mounts.length).toBeGreaterThan(0);
      expect(s.network.interfaces.find((i) => i.name === 'lo')).toBeDefined();
    } finally {
      await collector.close();
    }
  }, 30_000);
});

describe(createCollector.name, () => {
  it('uses procfs on Linux', async () => {
    const collector = createCollector({ disable: ['docker', 'systemd', 'gpu'] });
    expect(collector).toBeInstanceOf(LinuxCollector);
    await collector.close();
  });
});
