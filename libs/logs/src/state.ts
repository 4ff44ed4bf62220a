import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where readers remember how far they got (file offsets, the journal cursor, each container's
 * last timestamp), so a restart neither loses nor repeats lines. One small JSON file, replaced
 * atomically (write + rename); without a path it lives in memory only.
 */
export class LogStateStore {
  private data: Record<string, unknown> = {};
  private dirty = false;

  constructor(private readonly file: string | null) {
    if (!file) return;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        this.data = parsed as Record<string, unknown>;
      }
    } catch {
      // Missing or unreadable: start afresh (at worst lines are read again, never lost).
    }
  }

  get<T>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.data[key] = value;
    this.dirty = true;
  }

  delete(key: string): void {
    if (key in this.data) {
      delete this.data[key];
      this.dirty = true;
    }
  }

  keys(prefix: string): string[] {
    return Object.keys(this.data).filter((k) => k.startsWith(prefix));
  }

  /** Writes the file when something changed since the last save. */
  save(): void {
    if (!this.dirty || !this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}
