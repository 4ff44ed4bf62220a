import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { TytoConfig } from '../common/config';
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
  mkdirSync(config.dataDir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: path.join(config.dataDir, 'tyto.db'),
    enableWAL: true,
    // Readers and the writer share the file; wait briefly instead of failing on a busy lock.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    migrations: SQLITE_MIGRATIONS,
  };
}
