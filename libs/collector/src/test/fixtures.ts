import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Absolute path of a file under src/test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(__dirname, 'fixtures', ...parts);
}

export function fixtureText(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'latin1');
}

export function fixtureBuffer(...parts: string[]): Buffer {
  return readFileSync(fixturePath(...parts));
}

export function fixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8'));
}

/** A writable copy of a fake host tree, so a test can advance it to a later state. */
export function copyHost(name: string): {
  root: string;
  advance: (next: string) => void;
  remove: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), `tyto-${name}-`));
  cpSync(fixturePath(name), root, { recursive: true });
  return {
    root,
    advance: (next) => cpSync(fixturePath(next), root, { recursive: true }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
