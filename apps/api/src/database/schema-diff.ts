import type { TytoConfig } from '../common/config';
import { dataSourceOptions, openDataSource } from './data-source';

export interface SchemaDiff {
  up: string[];
  down: string[];
}

/**
 * Runs the migrations on the given database, then asks TypeORM which statements would make the
 * schema match the entities. Empty `up` proves the migration set and the entity model agree.
 */
export async function pendingSchemaChanges(
  config: Pick<TytoConfig, 'databaseUrl' | 'dataDir'>,
): Promise<SchemaDiff> {
  const ds = await openDataSource(dataSourceOptions(config));
  try {
    const sql = await ds.driver.createSchemaBuilder().log();
    return {
      up: sql.upQueries.map((q) => q.query),
      down: sql.downQueries.reverse().map((q) => q.query),
    };
  } finally {
    await ds.destroy();
  }
}
