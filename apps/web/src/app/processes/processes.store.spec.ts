import type { ProcessInfo } from '@tyto/contracts';
import { filterProcesses, sortProcesses } from './processes.store';

const proc = (
  pid: number,
  name: string,
  cpu: number,
  extra: Partial<ProcessInfo> = {},
): ProcessInfo => ({
  pid,
  ppid: 1,
  name,
  cmdline: `/usr/bin/${name}`,
  user: 'root',
  state: 'S',
  cpu,
  memory: pid * 1000,
  threads: 1,
  nice: 0,
  startTime: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('processes table', () => {
  const rows = [
    proc(10, 'nginx', 1, { user: 'www-data' }),
    proc(20, 'postgres', 5, { cmdline: 'postgres: checkpointer' }),
    proc(30, 'node', 5),
  ];

  it('filters on name, user, command line and exact pid, case-insensitively', () => {
    expect(filterProcesses(rows, 'WWW').map((p) => p.pid)).toEqual([10]);
    expect(filterProcesses(rows, 'checkpoint').map((p) => p.pid)).toEqual([20]);
    expect(filterProcesses(rows, '30').map((p) => p.pid)).toEqual([30]);
    expect(filterProcesses(rows, '  ')).toHaveLength(3);
  });

  it('sorts by a column in either direction, ties by pid', () => {
    expect(
      sortProcesses([...rows], { column: 'cpu', direction: 'desc' }).map((p) => p.pid),
    ).toEqual([20, 30, 10]);
    expect(
      sortProcesses([...rows], { column: 'name', direction: 'asc' }).map((p) => p.name),
    ).toEqual(['nginx', 'node', 'postgres']);
  });
});
