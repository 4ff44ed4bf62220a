import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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

/**
 * A writable copy of a fake host tree, so a test can advance it to a later state. Advancing
 * rewrites existing files in place, as procfs does: a descriptor the collector holds open on a
 * file sees the new content, which it would not if the file were replaced.
 */
export function copyHost(name: string): {
  root: string;
  advance: (next: string) => void;
  remove: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), `tyto-${name}-`));
  cpSync(fixturePath(name), root, { recursive: true });
  const overwrite = (from: string, to: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const src = join(from, entry.name);
      const dst = join(to, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(dst, { recursive: true });
        overwrite(src, dst);
      } else {
        writeFileSync(dst, readFileSync(src));
      }
    }
  };
  return {
    root,
    advance: (next) => overwrite(fixturePath(next), root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
