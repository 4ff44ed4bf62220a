/** Narrow accessors for JSON from other programs (Docker, systemctl), so no `any` leaks in. */

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Follows a key path through nested objects. */
export function at(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const key of keys) {
    const o = asObject(cur);
    if (!o) return undefined;
    cur = o[key];
  }
  return cur;
}
