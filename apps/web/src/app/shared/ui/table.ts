// Filtering and sorting for the client-side tables (containers, services, processes…). Kept apart
// from the component so the rules can be tested without a DOM.

export type SortDirection = 'asc' | 'desc' | '';

export interface TableSort {
  column: string;
  direction: SortDirection;
}

export type CellLevel = 'ok' | 'warn' | 'critical' | 'muted';

export type CellValue = string | number | boolean | null;

export interface TableColumn<T> {
  key: string;
  label: string;
  /** What the column sorts and filters by; numbers sort numerically, null sorts last. */
  value: (row: T) => CellValue;
  /** The cell's text when it differs from the value (units, formatting). */
  display?: (row: T) => string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** Colours the cell, e.g. a failed service or a disk almost full. */
  level?: (row: T) => CellLevel | null;
}

export function cellText<T>(column: TableColumn<T>, row: T): string {
  if (column.display) return column.display(row);
  const value = column.value(row);
  return value === null ? '–' : String(value);
}

// Every whitespace-separated word must appear in some column, so "nginx fail" finds the failed
// nginx unit rather than every nginx or every failure. Both the shown text and the raw value
// count: "2.0 GiB" and the byte count behind it both match.
export function filterRows<T>(
  rows: readonly T[],
  columns: readonly TableColumn<T>[],
  text: string,
): readonly T[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const haystack = columns
      .map((column) => `${cellText(column, row)}\u0000${String(column.value(row) ?? '')}`)
      .join('\u0000')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareValues(a: CellValue, b: CellValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return collator.compare(String(a), String(b));
}

// A stable sort, so rows with equal keys keep the hub's order (top lists stay ranked). Missing
// values go last in both directions: a column sorted by temperature should lead with readings.
export function sortRows<T>(
  rows: readonly T[],
  columns: readonly TableColumn<T>[],
  sort: TableSort,
): readonly T[] {
  const column = columns.find((c) => c.key === sort.column);
  if (!column || sort.direction === '') return rows;
  const sign = sort.direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: column.value(row) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return a.value === null ? 1 : -1;
      }
      return sign * compareValues(a.value, b.value) || a.index - b.index;
    })
    .map((entry) => entry.row);
}
