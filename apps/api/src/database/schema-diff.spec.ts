import { createTestDatabase, DB_KINDS } from '../test/hub';
import { pendingSchemaChanges } from './schema-diff';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  it('produce exactly the schema the entities describe', async () => {
    const db = await createTestDatabase(kind);
    try {
      const diff = await pendingSchemaChanges(db);
      expect(diff.up).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
