import type { LogLine } from '@tyto/contracts';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { journalEntryToLine, JournalReader } from './journal-reader';
import { findExecutable } from './readers';
import { LogStateStore } from './state';

const FAKE = path.join(__dirname, 'test', 'fake-journalctl.js');

let seq = 0;
/** An entry as `journalctl --output=json` prints it. */
function entry(message: unknown, extra: Record<string, unknown> = {}) {
  seq++;
  return {
    __CURSOR: `s=abc;i=${seq.toString(16)};b=boot;m=${seq};t=${seq};x=${seq}`,
    __REALTIME_TIMESTAMP: String(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + seq * 1000),
    __MONOTONIC_TIMESTAMP: String(seq * 1000),
    _BOOT_ID: 'boot',
    PRIORITY: '6',
    _PID: '1234',
    _COMM: 'nginx',
    SYSLOG_IDENTIFIER: 'nginx',
    _SYSTEMD_UNIT: 'nginx.service',
    _HOSTNAME: 'web-01',
    _TRANSPORT: 'stdout',
    MESSAGE: message,
    ...extra,
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(JournalReader.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (...entries: object[]) =>
    appendFileSync(
      path.join(dir, 'entries.jsonl'),
      entries.map((e) => JSON.stringify(e)).join('\n') + '\n',
    );

  function reader(got: LogLine[]) {
    return new JournalReader({
      sink: (lines) => {
        got.push(...lines);
      },
      state: new LogStateStore(path.join(dir, 'state.json')),
      journalctl: FAKE,
      args: [`--directory=${dir}`],
      flushMs: 10,
    });
  }

  it('follows from now the first time, then from the saved cursor across a restart', async () => {
    write(entry('before the first start'));
    const got: LogLine[] = [];
    const first = reader(got);
    first.start();
    const invoked: () => number = () => {
      try {
        return readFileSync(path.join(dir, 'invocations.log'), 'utf8').trim().split('\n').length;
      } catch {
        return 0;
      }
    };
    await until(() => invoked() > 0);
    write(entry('one'), entry('two', { PRIORITY: '3' }));
    await until(() => got.length === 2);
    await first.close();
    write(entry('while stopped'));
    const second = reader(got);
    second.start();
    await until(() => got.length === 3);
    write(entry('after restart'));
    await until(() => got.length === 4);
    await second.close();
    expect(got.map((l) => l.message)).toEqual(['one', 'two', 'while stopped', 'after restart']);
    expect(got[1].level).toBe('error');
    const calls = readFileSync(path.join(dir, 'invocations.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(calls[0])).toEqual(
      expect.arrayContaining(['--follow', '--output=json', '--lines=0']),
    );
    expect(JSON.parse(calls[1])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^--after-cursor=s=abc;i=3;/)]),
    );
  });

  it('maps priority, unit and journal fields, and decodes byte-array messages', () => {
    const line = journalEntryToLine(
      entry([0x62, 0x61, 0x64, 0xff, 0x0a, 0x6e, 0x6c], { PRIORITY: '4', ERRNO: '2' }),
    );
    expect(line).toEqual({
      timestamp: expect.stringMatching(/^2026-01-02T03:04:05\.\d{3}Z$/),
      source: 'journal',
      source_name: 'nginx.service',
      level: 'warning',
      message: 'bad\\xff\nnl',
      fields: expect.objectContaining({
        pid: '1234',
        comm: 'nginx',
        syslog_identifier: 'nginx',
        hostname: 'web-01',
        errno: '2',
      }),
    });
    const kernel = journalEntryToLine({ MESSAGE: 'oops', PRIORITY: '2', _TRANSPORT: 'kernel' });
    expect(kernel).toMatchObject({ source_name: 'kernel', level: 'critical' });
    expect(journalEntryToLine({ __CURSOR: 'c' })).toBeNull();
  });

  it('reports a journalctl that exits (the real one, on a directory without a journal) and goes on', async () => {
    const real = findExecutable('journalctl');
    if (!real) return; // no journalctl on this machine: the fake above covers the format
    const reports: string[] = [];
    const r = new JournalReader({
      sink: () => undefined,
      state: new LogStateStore(null),
      journalctl: real,
      args: [`--directory=${dir}`],
      report: (m) => reports.push(m),
      restartMs: 50,
    });
    r.start();
    await until(() => reports.length > 0);
    await new Promise((res) => setTimeout(res, 300));
    await r.close();
    // Reported once, though journalctl was started again several times.
    expect(reports).toEqual([expect.stringMatching(/^journal: journalctl exited with 1/)]);
  });
});
