import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  byteCompare,
  ByteCursor,
  clampPercent,
  FileReader,
  naturalCompare,
  parseIntAt,
  rate,
} from './read';
import { readHostConstants } from './host-constants';

describe(FileReader.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyto-read-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('grows its buffer for a file larger than the initial size', () => {
    const path = join(dir, 'big');
    const content = 'x'.repeat(10_000) + '\n';
    writeFileSync(path, content);
    const reader = new FileReader(1024);
    expect(reader.read(path)).toBe(content.length);
    expect(reader.text(path)).toBe(content);
  });

  it('returns -1 and null for a missing file instead of throwing', () => {
    const reader = new FileReader();
    expect(reader.read(join(dir, 'missing'))).toBe(-1);
    expect(reader.text(join(dir, 'missing'))).toBeNull();
    expect(reader.int(join(dir, 'missing'))).toBeNull();
    expect(reader.line(join(dir, 'missing'))).toBeNull();
  });

  it('reads sysfs-style one-value files', () => {
    writeFileSync(join(dir, 'speed'), '-1\n');
    writeFileSync(join(dir, 'state'), 'up\n');
    writeFileSync(join(dir, 'empty'), '');
    const reader = new FileReader();
    expect(reader.int(join(dir, 'speed'))).toBe(-1);
    expect(reader.line(join(dir, 'state'))).toBe('up');
    expect(reader.int(join(dir, 'empty'))).toBeNull();
  });

  it('reads a whole /proc file with readOnce for a single-record file', () => {
    const reader = new FileReader();
    const len = reader.readOnce('/proc/self/stat');
    expect(reader.buffer.toString('latin1', 0, len)).toMatch(/^\d+ \(.+\) [A-Z]/);
  });

  describe('readSeq', () => {
    const sockets: Socket[] = [];
    let server: Server;
    beforeAll(async () => {
      server = createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      // Enough connections for /proc/net/tcp to span several pages (150 bytes a line).
      for (let i = 0; i < 120; i++) {
        const s = connect(port, '127.0.0.1');
        sockets.push(s);
        await new Promise((resolve) => s.once('connect', resolve));
      }
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('reads a multi-page /proc/net/tcp completely without the final empty read', () => {
      const reader = new FileReader(1024);
      const { pageSize } = readHostConstants();
      const len = reader.readSeq('/proc/net/tcp', pageSize);
      const viaSeq = reader.buffer.toString('latin1', 0, len).split('\n').length;
      const full = readFileSync('/proc/net/tcp', 'latin1').split('\n').length;
      expect(len).toBeGreaterThan(2 * pageSize);
      // Connections can open or close between the two reads; the line counts stay close.
      expect(Math.abs(viaSeq - full)).toBeLessThan(10);
      expect(reader.buffer.toString('latin1', len - 1, len)).toBe('\n');
    });
  });
});

describe(parseIntAt.name, () => {
  it('parses signed integers and stops at the first non-digit', () => {
    const buf = Buffer.from('  -42 17kB x');
    expect(parseIntAt(buf, 0, buf.length)).toBe(-42);
    expect(parseIntAt(buf, 5, buf.length)).toBe(17);
    expect(parseIntAt(buf, 10, buf.length)).toBeNaN();
  });
});

describe(ByteCursor.name, () => {
  it('walks tokens and lines without allocating strings for numbers', () => {
    const buf = Buffer.from('cpu0 1 22 333\nbtime 99\n');
    const c = new ByteCursor().reset(buf, 0, buf.length);
    expect(c.startsWith('cpu')).toBe(true);
    expect(c.token()).toBe('cpu0');
    expect([c.number(), c.number(), c.number()]).toEqual([1, 22, 333]);
    expect(c.number()).toBeNaN();
    c.nextLine();
    c.skipToken();
    expect(c.number()).toBe(99);
    c.nextLine();
    expect(c.done).toBe(true);
  });
});

describe(rate.name, () => {
  it('is the per-second delta', () => {
    expect(rate(1500, 500, 2)).toBe(500);
  });

  it('is 0 when the counter went backwards (wrap or reset), never negative', () => {
    expect(rate(10, 4294967000, 5)).toBe(0);
  });

  it('is 0 without a previous reading or elapsed time', () => {
    expect(rate(100, undefined, 5)).toBe(0);
    expect(rate(100, 50, 0)).toBe(0);
  });
});

describe(clampPercent.name, () => {
  it('keeps values within 0–100', () => {
    expect(clampPercent(-3)).toBe(0);
    expect(clampPercent(NaN)).toBe(0);
    expect(clampPercent(55.5)).toBe(55.5);
    expect(clampPercent(120)).toBe(100);
  });
});

describe(naturalCompare.name, () => {
  it('orders embedded numbers by value', () => {
    const names = ['hwmon10', 'hwmon2', 'card1', 'hwmon1', 'temp10_input', 'temp9_input', 'card0'];
    expect(names.sort(naturalCompare)).toEqual([
      'card0',
      'card1',
      'hwmon1',
      'hwmon2',
      'hwmon10',
      'temp9_input',
      'temp10_input',
    ]);
  });
});

describe(byteCompare.name, () => {
  it('sorts paths by code unit', () => {
    expect(['/home', '/', '/boot/efi'].sort(byteCompare)).toEqual(['/', '/boot/efi', '/home']);
  });
});
