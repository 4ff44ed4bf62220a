import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pendingSchemaChanges } from './schema-diff';

// Prints what a new migration must contain: `npm run db:diff` (SQLite in a temp dir) or
// `npm run db:diff -- postgres://postgres@127.0.0.1:5432/scratch` (an empty scratch database).
async function main(): Promise<void> {
  const url = process.argv[2] ?? null;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-diff-'));
  try {
    const diff = await pendingSchemaChanges({ databaseUrl: url, dataDir });
    console.log(
      diff.up.length
        ? '-- up\n' + diff.up.join(';\n') + ';\n-- down\n' + diff.down.join(';\n') + ';'
        : '-- schema matches the entities',
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
