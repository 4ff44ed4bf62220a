import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SampleBuffer } from './buffer';

const payload = (i: number, size = 100) =>
  Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(size) }));
const decode = (b: Buffer) => (JSON.parse(b.toString('utf8')) as { i: number }).i;

describe(SampleBuffer.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tyto-buffer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const segments = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.seg'))
      .sort();

  it('hands records back in order with rising sequence numbers, across a reopen', () => {
    const a = new SampleBuffer(dir, { maxBytes: 1024 * 1024 });
    for (let i = 1; i <= 10; i++) expect(a.append(payload(i))).toBe(i);
    a.close();
    const b = new SampleBuffer(dir, { maxBytes: 1024 * 1024 });
    const all = b.read(0, 100);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(all.map((r) => decode(r.payload))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b.read(7, 2).map((r) => r.seq)).toEqual([8, 9]);
    expect(b.append(payload(11))).toBe(11);
  });

  it('forgets acknowledged records and keeps numbering above them after a reopen', () => {
    const a = new SampleBuffer(dir, { maxBytes: 64 * 1024 });
    for (let i = 1; i <= 200; i++) a.append(payload(i));
    const before = segments().length;
    a.ack(150);
    expect(segments().length).toBeLessThan(before);
    expect(a.read(0, 1000).map((r) => r.seq)).toEqual(
      Array.from({ length: 50 }, (_, k) => 151 + k),
    );
    a.ack(200);
    a.close();
    const b = new SampleBuffer(dir, { maxBytes: 64 * 1024 });
    expect(b.pending).toBe(0);
    expect(b.append(payload(201))).toBe(201);
  });

  it('truncates a corrupt tail found by its CRC and keeps everything before it', () => {
    const a = new SampleBuffer(dir, { maxBytes: 1024 * 1024 });
    for (let i = 1; i <= 5; i++) a.append(payload(i));
    a.close();
    const file = path.join(dir, segments()[0]);
    const data = readFileSync(file);
    // Flip one byte inside the last record's payload.
    data[data.length - 5] ^= 0xff;
    writeFileSync(file, data);
    const truncations: string[] = [];
    const b = new SampleBuffer(dir, {
      maxBytes: 1024 * 1024,
      onTruncate: (_f, _o, reason) => truncations.push(reason),
    });
    expect(truncations).toEqual(['CRC mismatch']);
    expect(b.read(0, 100).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(statSync(file).size).toBeLessThan(data.length);
    // The torn record's number is not reused: the hub may have stored it before the damage.
    expect(b.append(payload(6))).toBe(6);
    expect(b.read(0, 100).map((r) => r.seq)).toEqual([1, 2, 3, 4, 6]);
    b.close();
  });

  it('truncates a torn last record (a crash mid-write)', () => {
    const a = new SampleBuffer(dir, { maxBytes: 1024 * 1024 });
    for (let i = 1; i <= 3; i++) a.append(payload(i));
    a.close();
    const file = path.join(dir, segments()[0]);
    appendFileSync(file, Buffer.from([0, 0, 1, 0, 1, 2, 3]));
    const b = new SampleBuffer(dir, { maxBytes: 1024 * 1024 });
    expect(b.read(0, 100).map((r) => r.seq)).toEqual([1, 2, 3]);
    b.close();
  });

  it('drops the oldest records at the cap and counts them', () => {
    const max = 64 * 1024;
    const a = new SampleBuffer(dir, { maxBytes: max });
    for (let i = 1; i <= 2000; i++) a.append(payload(i));
    expect(a.bytes).toBeLessThanOrEqual(max);
    const left = a.read(0, 100_000);
    expect(a.dropped).toBe(2000 - left.length);
    expect(a.dropped).toBeGreaterThan(0);
    // What is left is the newest, still in order and contiguous.
    expect(left.at(-1)?.seq).toBe(2000);
    expect(left.map((r) => r.seq)).toEqual(
      Array.from({ length: left.length }, (_, k) => 2001 - left.length + k),
    );
    a.close();
    expect(new SampleBuffer(dir, { maxBytes: max }).dropped).toBe(a.dropped);
  });
});
