import { searchText } from '@tyto/contracts';
import { createTestDatabase } from '../test/hub';
import { dataSourceOptions, openDataSource } from './data-source';
import { SQLITE_MIGRATIONS } from './migrations';

describe('the SQLite log index migration without prefix indexes', () => {
  it('feeds the stored lines into the new index, which drops the prefix indexes', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const before = SQLITE_MIGRATIONS.filter((m) => !m.name.startsWith('LogsFtsNoPrefix'));
      const old = await openDataSource({ ...dataSourceOptions(db), migrations: before } as never);
      const messages = ['\u001b[31mdisk failed\u001b[0m on sda', 'connection reset by peer'];
      for (const [i, message] of messages.entries()) {
        await old.query(
          `INSERT INTO log_entries (id, ts, agent_id, source, source_name, level, message, fields, size) VALUES (?, ?, 'local', 'file', '/var/log/x', 'info', ?, '{}', 10)`,
          [i + 1, 1000 + i, message],
        );
        await old.query('INSERT INTO log_fts (rowid, body) VALUES (?, ?)', [
          i + 1,
          searchText(message),
        ]);
      }
      await old.destroy();

      const ds = await openDataSource(dataSourceOptions(db) as never);
      try {
        const match = async (q: string) =>
          (
            (await ds.query(
              'SELECT rowid AS id FROM log_fts WHERE log_fts MATCH ? ORDER BY rowid',
              [q],
            )) as { id: number }[]
          ).map((r) => r.id);
        expect(await match('"failed"')).toEqual([1]);
        // The words as searchText gives them: the colour code is not part of the word.
        expect(await match('"31mdisk"')).toEqual([]);
        expect(await match('"reset by peer"')).toEqual([2]);
        expect(await match('"con"*')).toEqual([2]);
        const [table] = (await ds.query(
          "SELECT sql FROM sqlite_master WHERE name = 'log_fts'",
        )) as { sql: string }[];
        expect(table.sql).not.toContain('prefix');
        expect(table.sql).toContain('contentless_delete=1');
        // Deleting by rowid still works on the rebuilt contentless table.
        await ds.query('DELETE FROM log_fts WHERE rowid = 2');
        expect(await match('"reset"')).toEqual([]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
