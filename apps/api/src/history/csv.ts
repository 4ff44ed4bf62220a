/**
 * Flattens JSON documents into CSV columns: nested keys are joined with dots
 * (`cpu.totalUsage`, `disk.mounts./.usedPercent`), list items are keyed by what names them
 * (mount point, device, GPU index, interface or sensor name, core id) so a column means the same
 * thing in every row; ranked lists (top processes) and lists without unique names use positions.
 */

const ID_FIELDS = ['mountpoint', 'device', 'index', 'name', 'id'];
const RANKED = new Set(['topByCpu', 'topByMemory']);

type Cell = string | number | boolean | null;

function itemKeys(key: string, items: unknown[]): string[] {
  if (!RANKED.has(key) && items.every((i) => i !== null && typeof i === 'object')) {
    for (const field of ID_FIELDS) {
      const ids = items.map((i) => (i as Record<string, unknown>)[field]);
      if (
        ids.every((v) => typeof v === 'string' || typeof v === 'number') &&
        new Set(ids).size === ids.length
      ) {
        return ids.map(String);
      }
    }
  }
  return items.map((_, i) => String(i));
}

export function flatten(value: unknown, prefix = '', out: Map<string, Cell> = new Map()) {
  if (Array.isArray(value)) {
    const lastKey = prefix.slice(prefix.lastIndexOf('.') + 1);
    const keys = itemKeys(lastKey, value);
    value.forEach((item, i) => flatten(item, prefix ? `${prefix}.${keys[i]}` : keys[i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, (value ?? null) as Cell);
  }
  return out;
}

function cell(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  // A leading = + - @ makes spreadsheets run the cell as a formula (process names and command
  // lines come from the monitored host); a quote mark keeps it text.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV: a header with the union of every row's columns (first-seen order), CRLF lines. */
export function toCsv(rows: unknown[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flat) {
    for (const key of row.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = [columns.map(cell).join(',')];
  for (const row of flat) lines.push(columns.map((c) => cell(row.get(c))).join(','));
  return lines.join('\r\n') + '\r\n';
}
