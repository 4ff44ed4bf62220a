import { fixtureText } from '../test/fixtures';
import { memoryMetrics, parseMeminfo } from './memory';

const KIB = 1024;

describe(parseMeminfo.name, () => {
  it('converts kB fields to bytes and keeps unitless counts as they are', () => {
    const info = parseMeminfo(fixtureText('host-workstation', 'proc', 'meminfo'));
    expect(info.get('MemTotal')).toBe(16318412 * KIB);
    expect(info.get('HugePages_Total')).toBe(0);
    expect(info.get('Hugepagesize')).toBe(2048 * KIB);
  });
});

describe(memoryMetrics.name, () => {
  it('computes used as total minus available, with swap', () => {
    const m = memoryMetrics(parseMeminfo(fixtureText('host-workstation', 'proc', 'meminfo')));
    expect(m).toEqual({
      total: 16318412 * KIB,
      used: (16318412 - 9000000) * KIB,
      free: 2000000 * KIB,
      available: 9000000 * KIB,
      buffers: 500000 * KIB,
      cached: (6000000 + 400000) * KIB,
      usedPercent: 44.85,
      swapTotal: 2097148 * KIB,
      swapUsed: 1048574 * KIB,
      swapFree: 1048574 * KIB,
      swapPercent: 50,
    });
  });

  it('handles a host without swap', () => {
    const m = memoryMetrics(parseMeminfo(fixtureText('host-vm', 'proc', 'meminfo')));
    expect(m.swapTotal).toBe(0);
    expect(m.swapPercent).toBe(0);
    expect(m.used).toBe((24684084 - 24060764) * KIB);
  });

  it('estimates available on kernels before 3.14, which lack MemAvailable', () => {
    const text = 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n';
    const m = memoryMetrics(parseMeminfo(text));
    expect(m.available).toBe(400 * KIB);
    expect(m.used).toBe(600 * KIB);
    expect(m.usedPercent).toBe(60);
  });
});
