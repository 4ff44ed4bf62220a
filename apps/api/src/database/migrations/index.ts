import { InitialPostgres1764300000000 } from './1764300000000-initial.postgres';
import { InitialSqlite1764300000000 } from './1764300000000-initial.sqlite';
import { AuditPostgres1764400000000 } from './1764400000000-audit.postgres';
import { AuditSqlite1764400000000 } from './1764400000000-audit.sqlite';

// One ordered list per database. A schema change adds a migration to both; the migration check
// (database.spec.ts) fails if either set drifts from the entities. `npm run db:diff` prints the
// statements a new migration needs.
export const SQLITE_MIGRATIONS = [InitialSqlite1764300000000, AuditSqlite1764400000000];
export const POSTGRES_MIGRATIONS = [InitialPostgres1764300000000, AuditPostgres1764400000000];
