import { Logger } from '@nestjs/common';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
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
    // openDataSource runs them, under a lock on PostgreSQL.
    migrationsRun: false,
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

/** Any fixed number: the advisory lock every replica takes around its start-up writes. */
const STARTUP_LOCK = 0x7479746f; // "tyto"

/**
 * Runs `fn` while holding the start-up lock: on PostgreSQL a session-level advisory lock, so
 * replicas starting together against one database take turns (the later ones find the work
 * done); SQLite's file lock already serialises the writers of one file. For migrations and
 * first-start seeding (system roles, the initial admin), which must happen once.
 */
export async function withStartupLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'postgres') return fn();
  // The lock belongs to one connection: take and release it on the same query runner.
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    try {
      return await fn();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
    }
  } finally {
    await lock.release();
  }
}

/**
 * Opens the database and brings its schema up to date, under the start-up lock (TypeORM takes
 * no lock of its own, and two replicas migrating one empty database at once collide).
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const ds = await new DataSource(options).initialize();
  try {
    await withStartupLock(ds, () => ds.runMigrations({ transaction: 'each' }));
  } catch (e) {
    await ds.destroy();
    throw e;
  }
  return ds;
}
