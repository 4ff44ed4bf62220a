import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../test/hub';

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('SQLite data directory', () => {
  it('is 0700 with the database, WAL and SHM 0600 whatever the umask', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tyto-fresh-'));
    const dataDir = path.join(root, 'data');
    const umask = process.umask(0);
    try {
      const hub = await startHub(
        'sqlite',
        {},
        // A data directory that does not exist yet; the `finally` below removes it.
        { databaseUrl: null, dataDir, drop: () => Promise.resolve() },
      );
      try {
        // A write goes through the WAL, so all three files exist while the hub runs.
        await hub.login();
        expect({
          dir: modeOf(dataDir),
          db: modeOf(path.join(dataDir, 'tyto.db')),
          wal: modeOf(path.join(dataDir, 'tyto.db-wal')),
          shm: modeOf(path.join(dataDir, 'tyto.db-shm')),
        }).toEqual({ dir: '700', db: '600', wal: '600', shm: '600' });
      } finally {
        await hub.close();
      }
    } finally {
      process.umask(umask);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
