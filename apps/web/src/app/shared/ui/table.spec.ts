import type { TableColumn } from './table';
import { cellText, filterRows, sortRows } from './table';

interface Unit {
  name: string;
  state: string;
  memory: number | null;
}

function unit(name: string, state: string, memory: number | null = null): Unit {
  return { name, state, memory };
}

const COLUMNS: TableColumn<Unit>[] = [
  { key: 'name', label: 'Unit', value: (u) => u.name },
  { key: 'state', label: 'State', value: (u) => u.state },
  {
    key: 'memory',
    label: 'Memory',
    value: (u) => u.memory,
    display: (u) => (u.memory === null ? '–' : `${u.memory / 1024} KiB`),
  },
];

const UNITS = [
  unit('nginx.service', 'active', 2048),
  unit('ssh.service', 'active', 1024),
  unit('nginx-exporter.service', 'failed'),
  unit('cron.service', 'inactive', 4096),
];

describe('table', () => {
  describe(filterRows.name, () => {
    it('keeps every row for an empty or blank filter', () => {
      expect(filterRows(UNITS, COLUMNS, '')).toBe(UNITS);
      expect(filterRows(UNITS, COLUMNS, '   ')).toBe(UNITS);
    });

    it('matches any column, ignoring case', () => {
      expect(filterRows(UNITS, COLUMNS, 'NGINX').map((u) => u.name)).toEqual([
        'nginx.service',
        'nginx-exporter.service',
      ]);
      expect(filterRows(UNITS, COLUMNS, 'failed').map((u) => u.name)).toEqual([
        'nginx-exporter.service',
      ]);
    });

    it('needs every word to match somewhere', () => {
      expect(filterRows(UNITS, COLUMNS, 'nginx active').map((u) => u.name)).toEqual([
        'nginx.service',
      ]);
    });

    it('finds rows by the shown text and by the raw value', () => {
      expect(filterRows(UNITS, COLUMNS, 'kib').map((u) => u.name)).toEqual([
        'nginx.service',
        'ssh.service',
        'cron.service',
      ]);
      expect(filterRows(UNITS, COLUMNS, '4096').map((u) => u.name)).toEqual(['cron.service']);
    });
  });

  describe(sortRows.name, () => {
    it('sorts text naturally in either direction', () => {
      const rows = [unit('sda10', 'a'), unit('sda2', 'a'), unit('Sda1', 'a')];
      const asc = sortRows(rows, COLUMNS, { column: 'name', direction: 'asc' });
      expect(asc.map((u) => u.name)).toEqual(['Sda1', 'sda2', 'sda10']);
      const desc = sortRows(rows, COLUMNS, { column: 'name', direction: 'desc' });
      expect(desc.map((u) => u.name)).toEqual(['sda10', 'sda2', 'Sda1']);
    });

    it('sorts numbers as numbers and puts missing values last both ways', () => {
      const asc = sortRows(UNITS, COLUMNS, { column: 'memory', direction: 'asc' });
      expect(asc.map((u) => u.memory)).toEqual([1024, 2048, 4096, null]);
      const desc = sortRows(UNITS, COLUMNS, { column: 'memory', direction: 'desc' });
      expect(desc.map((u) => u.memory)).toEqual([4096, 2048, 1024, null]);
    });

    it('keeps the original order among equal keys', () => {
      const sorted = sortRows(UNITS, COLUMNS, { column: 'state', direction: 'desc' });
      expect(sorted.map((u) => u.name)).toEqual([
        'cron.service',
        'nginx-exporter.service',
        'nginx.service',
        'ssh.service',
      ]);
    });

    it('leaves the rows alone without a direction or for an unknown column', () => {
      expect(sortRows(UNITS, COLUMNS, { column: 'name', direction: '' })).toBe(UNITS);
      expect(sortRows(UNITS, COLUMNS, { column: 'nope', direction: 'asc' })).toBe(UNITS);
    });
  });

  describe(cellText.name, () => {
    it('uses the display text, the value, or a dash for nothing', () => {
      expect(cellText(COLUMNS[2], unit('a', 'b', 2048))).toBe('2 KiB');
      expect(cellText(COLUMNS[0], unit('a', 'b'))).toBe('a');
      expect(cellText({ key: 'x', label: 'X', value: () => null }, unit('a', 'b'))).toBe('–');
    });
  });
});
