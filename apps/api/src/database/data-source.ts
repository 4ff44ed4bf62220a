import { Logger } from '@nestjs/common';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { TytoConfig } from '../common/config';
import { createPrivateFile, ensureDataDir, restrictFiles, sqliteFiles } from './data-files';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';

export type DatabaseKind = 'sqlite' | 'postgres';

export const databaseKind = (config: Pick<TytoConfig, 'databaseUrl'>): DatabaseKind =>
  config.databaseUrl ? 'postgres' : 'sqlite';

/** TypeORM options for the configured database; schema changes only ever come from migrations. */
export function dataSourceOptions(
  config: Pick<TytoConfig, 'databaseUrl' | 'dataDir'>,
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
  };
  if (config.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: config.databaseUrl,
      migrations: POSTGRES_MIGRATIONS,
    };
  }
  ensureDataDir(config.dataDir, (message) => new Logger('Database').warn(message));
  const database = path.join(config.dataDir, 'tyto.db');
  // 0600 before SQLite opens it: SQLite gives the WAL and SHM files the database file's mode.
  createPrivateFile(database);
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // WAL and SHM files an earlier version left behind keep their mode when SQLite reuses them.
      restrictFiles(sqliteFiles(database));
      // Readers and the writer share the file; wait briefly instead of failing on a busy lock.
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    migrations: SQLITE_MIGRATIONS,
  };
}
