import type { LogLine } from '@tyto/contracts';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileReader } from './file-reader';
import { MAX_LINE_BYTES } from './line';
import { LogStateStore } from './state';

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-file-reader-'));
  const stateFile = path.join(dir, 'state.json');
  const got: LogLine[] = [];
  const reader = (patterns: string[]) =>
    new FileReader({
      patterns,
      sink: (lines) => {
        got.push(...lines);
      },
      state: new LogStateStore(stateFile),
      scanMs: 0,
    });
  const messages = () => got.map((l) => l.message);
  return {
    dir,
    got,
    reader,
    messages,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe(FileReader.name, () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(() => t.cleanup());

  it('follows a file there at start from its end, then every appended line', async () => {
    const file = path.join(t.dir, 'app.log');
    writeFileSync(file, 'old line 1\nold line 2\n');
    const r = t.reader([file]);
    await r.poll();
    appendFileSync(file, 'new 1\nnew 2\npart');
    await r.poll();
    expect(t.messages()).toEqual(['new 1', 'new 2']);
    appendFileSync(file, 'ial\n');
    await r.poll();
    expect(t.messages()).toEqual(['new 1', 'new 2', 'partial']);
    expect(t.got[0]).toMatchObject({ source: 'file', source_name: file });
    await r.close();
  });

  it('reads a rename + create rotation to the end of the old file, then the new one', async () => {
    const file = path.join(t.dir, 'app.log');
    writeFileSync(file, '');
    const r = t.reader([file]);
    await r.poll();
    appendFileSync(file, 'before rotation\n');
    renameSync(file, `${file}.1`);
    // The writer still had the old file open: its last line lands there.
    appendFileSync(`${file}.1`, 'late into the old file\n');
    writeFileSync(file, 'first of the new file\n');
    await r.poll();
    appendFileSync(file, 'second of the new file\n');
    await r.poll();
    expect(t.messages()).toEqual([
      'before rotation',
      'late into the old file',
      'first of the new file',
      'second of the new file',
    ]);
    await r.close();
  });

  it('starts again from the top after copytruncate and after a plain truncation', async () => {
    const file = path.join(t.dir, 'app.log');
    writeFileSync(file, '');
    const r = t.reader([file]);
    await r.poll();
    appendFileSync(file, 'one\ntwo\n');
    await r.poll();
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await r.poll();
    appendFileSync(file, 'after copytruncate\n');
    await r.poll();
    writeFileSync(file, 'x\n'); // `> file` then a short write: smaller than the offset
    await r.poll();
    expect(t.messages()).toEqual(['one', 'two', 'after copytruncate', 'x']);
    await r.close();
  });

  it('remembers offsets across restarts: nothing lost, nothing repeated', async () => {
    const file = path.join(t.dir, 'app.log');
    writeFileSync(file, '');
    const first = t.reader([file]);
    await first.poll();
    appendFileSync(file, 'a\nb\n');
    await first.poll();
    await first.close();
    appendFileSync(file, 'written while down\n');
    const second = t.reader([file]);
    await second.poll();
    appendFileSync(file, 'after restart\n');
    await second.poll();
    expect(t.messages()).toEqual(['a', 'b', 'written while down', 'after restart']);
    await second.close();
  });

  it('picks up files matching a glob that appear later, from their first line', async () => {
    const r = t.reader([path.join(t.dir, '*.log')]);
    await r.poll();
    writeFileSync(path.join(t.dir, 'new.log'), 'hello from new\n');
    writeFileSync(path.join(t.dir, 'ignored.txt'), 'not matched\n');
    await r.poll();
    expect(t.messages()).toEqual(['hello from new']);
    await r.close();
  });

  it('keeps the fields of JSON lines and takes their message, level and time', async () => {
    const file = path.join(t.dir, 'app.jsonl');
    writeFileSync(file, '');
    const r = t.reader([file]);
    await r.poll();
    appendFileSync(
      file,
      [
        JSON.stringify({
          level: 'error',
          msg: 'db down',
          time: '2026-01-02T03:04:05.000Z',
          retry: 3,
          ctx: { a: 1 },
        }),
        JSON.stringify({ level: 40, message: 'pino warn' }),
        JSON.stringify({ severity: 'DEBUG', text: 'no message key' }),
        '{not json',
      ].join('\n') + '\n',
    );
    await r.poll();
    expect(t.got[0]).toMatchObject({
      message: 'db down',
      level: 'error',
      timestamp: '2026-01-02T03:04:05.000Z',
      fields: { level: 'error', retry: '3', ctx: '{"a":1}', time: '2026-01-02T03:04:05.000Z' },
    });
    expect(t.got[1]).toMatchObject({ message: 'pino warn', level: 'warning' });
    expect(t.got[2].level).toBe('debug');
    expect(t.got[2].message).toBe('{"severity":"DEBUG","text":"no message key"}');
    expect(t.got[3]).toMatchObject({ message: '{not json', fields: {} });
    await r.close();
  });

  it('sniffs levels of text lines, cuts lines over 64 KiB and keeps invalid UTF-8', async () => {
    const file = path.join(t.dir, 'app.log');
    writeFileSync(file, '');
    const r = t.reader([file]);
    await r.poll();
    const long = 'y'.repeat(MAX_LINE_BYTES + 5000);
    appendFileSync(file, `<3>kernel: oops\n2026-01-01 WARN disk low\n[info] ok\n${long}\nafter\n`);
    appendFileSync(file, Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x20, 0xc3, 0xa9, 0x0a]));
    await r.poll();
    expect(t.got.map((l) => l.level)).toEqual([
      'error',
      'warning',
      'info',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(t.got[3].message.length).toBe(MAX_LINE_BYTES);
    expect(t.got[3].fields['truncated']).toBe(String(MAX_LINE_BYTES + 5000));
    expect(t.got[4].message).toBe('after');
    expect(t.got[5].message).toBe('bad\\xff\\xfe é');
    await r.close();
  });
});
