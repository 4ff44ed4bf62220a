import { execFileSync } from 'node:child_process';
import { parseAuxv, readHostConstants } from './host-constants';

function auxv(pairs: [number, number][], wordSize: 4 | 8, le: boolean): Buffer {
  const buf = Buffer.alloc((pairs.length + 1) * wordSize * 2);
  pairs.forEach(([type, value], i) => {
    const off = i * wordSize * 2;
    if (wordSize === 8) {
      (le ? buf.writeBigUInt64LE : buf.writeBigUInt64BE).call(buf, BigInt(type), off);
      (le ? buf.writeBigUInt64LE : buf.writeBigUInt64BE).call(buf, BigInt(value), off + 8);
    } else {
      (le ? buf.writeUInt32LE : buf.writeUInt32BE).call(buf, type, off);
      (le ? buf.writeUInt32LE : buf.writeUInt32BE).call(buf, value, off + 4);
    }
  });
  return buf;
}

describe(parseAuxv.name, () => {
  it('finds AT_PAGESZ and AT_CLKTCK in a 64-bit little-endian vector', () => {
    const buf = auxv(
      [
        [33, 140250358157312],
        [6, 16384],
        [17, 250],
        [3, 94057482727488],
      ],
      8,
      true,
    );
    expect(parseAuxv(buf, 8, true)).toEqual({ pageSize: 16384, clockTicks: 250 });
  });

  it('reads 32-bit big-endian vectors', () => {
    const buf = auxv(
      [
        [6, 4096],
        [17, 100],
      ],
      4,
      false,
    );
    expect(parseAuxv(buf, 4, false)).toEqual({ pageSize: 4096, clockTicks: 100 });
  });

  it('falls back to 4 KiB and 100 Hz when the entries are missing', () => {
    expect(parseAuxv(auxv([[3, 1]], 8, true), 8, true)).toEqual({
      pageSize: 4096,
      clockTicks: 100,
    });
  });
});

describe(readHostConstants.name, () => {
  it('agrees with getconf on this machine', () => {
    const getconf = (name: string): number =>
      Number(execFileSync('getconf', [name], { encoding: 'utf8' }));
    expect(readHostConstants()).toEqual({
      pageSize: getconf('PAGESIZE'),
      clockTicks: getconf('CLK_TCK'),
    });
  });

  it('uses the defaults when auxv cannot be read', () => {
    expect(readHostConstants('/nonexistent/auxv')).toEqual({ pageSize: 4096, clockTicks: 100 });
  });
});
