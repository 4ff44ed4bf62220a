import { QueryFailedError } from 'typeorm';

/** True for a unique-constraint violation on either database (a lost race on a unique key). */
export function isUniqueViolation(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const code = (e.driverError as { code?: unknown }).code;
  // PostgreSQL: unique_violation; better-sqlite3: the extended result code.
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
