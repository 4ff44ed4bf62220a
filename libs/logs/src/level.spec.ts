import { levelFromPriority, levelFromValue, sniffLevel } from './level';
import { decodeLine, LineSplitter } from './line';

describe('levels', () => {
  it('maps journal priorities', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(levelFromPriority)).toEqual([
      'critical',
      'critical',
      'critical',
      'error',
      'warning',
      'info',
      'info',
      'debug',
      'unknown',
    ]);
  });

  it('reads JSON level values: names, pino numbers, syslog numbers', () => {
    expect(['ERROR', 'warn', 'Notice', 'fatal', 'trace', 'bogus'].map(levelFromValue)).toEqual([
      'error',
      'warning',
      'info',
      'critical',
      'debug',
      null,
    ]);
    expect([60, 50, 40, 30, 20, 3, '4'].map(levelFromValue)).toEqual([
      'critical',
      'error',
      'warning',
      'info',
      'debug',
      'error',
      'warning',
    ]);
  });

  it('sniffs text lines, near the start only', () => {
    expect(sniffLevel('<11>sshd: fail')).toBe('error');
    expect(sniffLevel('2026-01-01 12:00:00 [WARN] low disk')).toBe('warning');
    expect(sniffLevel('level=debug msg=x')).toBe('debug');
    expect(sniffLevel('E1201 something')).toBe('unknown');
    expect(sniffLevel('terror is not a level')).toBe('unknown');
    expect(sniffLevel(`${'x '.repeat(150)} ERROR late`)).toBe('unknown');
  });
});

describe('lines', () => {
  it('keeps invalid UTF-8 and NUL as \\xNN, valid text as it is', () => {
    expect(decodeLine(Buffer.from('héllo'))).toBe('héllo');
    expect(decodeLine(Buffer.from([0x61, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80]))).toBe(
      'a\\xc3(\\x00\\xed\\xa0\\x80',
    );
  });

  it('splits CRLF and LF lines across chunks, cutting long ones with their size', () => {
    const s = new LineSplitter(8);
    const out = [
      ...s.push(Buffer.from('ab\r\ncd')),
      ...s.push(Buffer.from('e\n0123456789abc')),
      ...s.push(Buffer.from('def\nz')),
    ];
    expect(out.map((l) => [l.bytes.toString(), l.truncatedFrom])).toEqual([
      ['ab', null],
      ['cde', null],
      ['01234567', 16],
    ]);
    expect(s.end()?.bytes.toString()).toBe('z');
  });
});
