import { fixtureBuffer, fixtureText } from '../test/fixtures';
import { cpuSplit, parseCpuInfo, parseLoadAvg, parseProcStat } from './cpu';
import type { CpuTimes } from './cpu';

function times(partial: Partial<CpuTimes>): CpuTimes {
  return {
    user: 0,
    nice: 0,
    system: 0,
    idle: 0,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
    ...partial,
  };
}

describe(parseProcStat.name, () => {
  it('reads the total, every core and btime from a captured /proc/stat', () => {
    const stat = parseProcStat(fixtureBuffer('host-vm', 'proc', 'stat'));
    expect(stat.total).toEqual(
      times({ user: 18800, system: 5853, idle: 65018, iowait: 1682, softirq: 139, steal: 62 }),
    );
    expect([...stat.cores.keys()]).toEqual([0, 1]);
    expect(stat.cores.get(1)).toEqual(
      times({ user: 11709, system: 3562, idle: 28830, iowait: 1456, softirq: 111, steal: 33 }),
    );
    expect(stat.bootTime).toBe(1795881449);
  });

  it('reuses the target object and drops a core that went offline', () => {
    const into = parseProcStat(fixtureBuffer('host-workstation', 'proc', 'stat'));
    const sameCores = into.cores.get(0);
    expect(into.cores.size).toBe(4);
    const oneCore = Buffer.from(
      'cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0 0 0\nbtime 5\n',
    );
    const out = parseProcStat(oneCore, oneCore.length, into);
    expect(out).toBe(into);
    expect(out.cores.get(0)).toBe(sameCores);
    expect([...out.cores.keys()]).toEqual([0]);
  });

  it('treats the columns old kernels lack as zero', () => {
    const buf = Buffer.from('cpu  1 2 3 4\ncpu0 1 2 3 4\n');
    expect(parseProcStat(buf).total).toEqual(times({ user: 1, nice: 2, system: 3, idle: 4 }));
  });
});

describe(cpuSplit.name, () => {
  it('splits the ticks of an interval into percentages', () => {
    const prev = times({ user: 1000, nice: 0, system: 500, idle: 8000, iowait: 100, steal: 0 });
    const cur = times({ user: 1300, nice: 50, system: 600, idle: 8400, iowait: 150, steal: 50 });
    // 350 user, 100 system, 400 idle, 50 iowait, 50 steal = 950 ticks
    expect(cpuSplit(cur, prev)).toEqual({
      usage: 52.63,
      user: 36.84,
      system: 10.53,
      iowait: 5.26,
      steal: 5.26,
      idle: 42.11,
    });
  });

  it('uses the counters since boot when there is no previous reading', () => {
    expect(cpuSplit(times({ user: 25, idle: 75 }), undefined).usage).toBe(25);
  });

  it('never goes negative when a counter steps backwards (iowait on tickless kernels)', () => {
    const prev = times({ user: 100, idle: 100, iowait: 500 });
    const cur = times({ user: 150, idle: 150, iowait: 400 });
    const split = cpuSplit(cur, prev);
    expect(split.iowait).toBe(0);
    expect(split.usage).toBe(50);
    expect(split.idle).toBe(50);
  });

  it('is all zero when no tick elapsed', () => {
    const t = times({ user: 5, idle: 5 });
    expect(cpuSplit(t, t)).toEqual({ usage: 0, user: 0, system: 0, iowait: 0, steal: 0, idle: 0 });
  });
});

describe(parseCpuInfo.name, () => {
  it('reads the model and per-processor MHz on x86', () => {
    const info = parseCpuInfo(fixtureText('host-vm', 'proc', 'cpuinfo'));
    expect(info.model).toBe('AMD EPYC');
    expect([...info.mhz.entries()]).toEqual([
      [0, 2596],
      [1, 2596],
    ]);
  });

  it('finds the model line of ARM boards, which have no MHz', () => {
    const text = [
      'processor\t: 0',
      'BogoMIPS\t: 108.00',
      'CPU implementer\t: 0x41',
      '',
      'Hardware\t: BCM2835',
      'Model\t\t: Raspberry Pi 4 Model B Rev 1.4',
      '',
    ].join('\n');
    expect(parseCpuInfo(text)).toEqual({ model: 'Raspberry Pi 4 Model B Rev 1.4', mhz: new Map() });
  });

  it('says null when there is no model at all', () => {
    expect(parseCpuInfo('processor\t: 0\n').model).toBeNull();
  });
});

describe(parseLoadAvg.name, () => {
  it('reads the three averages', () => {
    expect(parseLoadAvg(fixtureText('host-vm', 'proc', 'loadavg'))).toEqual({
      one: 0.35,
      five: 0.63,
      fifteen: 0.35,
    });
  });
});
