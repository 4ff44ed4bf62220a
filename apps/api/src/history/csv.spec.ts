import { snapshot } from '../test/samples';
import { flatten, toCsv } from './csv';

describe(flatten.name, () => {
  it('names list items by what identifies them, and ranked lists by position', () => {
    const flat = flatten(snapshot('a', Date.UTC(2025, 0, 1)));
    expect(flat.get('cpu.totalUsage')).toBe(12);
    expect(flat.get('cpu.cores.0.usage')).toBe(12);
    expect(flat.get('disk.mounts./.usedPercent')).toBe(60);
    expect(flat.get('disk.io.sda.readRate')).toBe(1000);
    expect(flat.get('network.interfaces.eth0.rxRate')).toBe(2000);
    expect(flat.get('network.connectionsByState.ESTABLISHED')).toBe(2);
    expect(flat.get('processes.topByCpu.0.name')).toBe('postgres');
    expect(flat.get('gpu.gpus.0.utilization')).toBe(20);
    expect(flat.get('systemd.services.nginx.service.state')).toBe('active');
  });

  it('falls back to positions when names repeat', () => {
    const flat = flatten({
      list: [
        { name: 'x', v: 1 },
        { name: 'x', v: 2 },
      ],
    });
    expect([...flat.entries()]).toEqual([
      ['list.0.name', 'x'],
      ['list.0.v', 1],
      ['list.1.name', 'x'],
      ['list.1.v', 2],
    ]);
  });
});

describe(toCsv.name, () => {
  it('writes a header of every column and quotes what needs it', () => {
    const csv = toCsv([
      { t: 1, note: 'plain' },
      { t: 2, note: 'a, "b"', extra: null },
    ]);
    expect(csv).toBe('t,note,extra\r\n1,plain,\r\n2,"a, ""b""",\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(toCsv([{ cmd: '=HYPERLINK("x")', n: -1 }])).toBe(
      'cmd,n\r\n"\'=HYPERLINK(""x"")",-1\r\n',
    );
  });
});
