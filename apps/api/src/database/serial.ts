import type { DataSource, EntityManager } from 'typeorm';

const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs a transaction after every other one started through here has finished. TypeORM shares a
 * single connection for SQLite, where two interleaved transactions would silently nest; a
 * check-then-write (such as "is this the last admin?") must not interleave with another. On
 * PostgreSQL the callback still takes row locks to stay safe across hub replicas.
 */
export function serialTransaction<T>(
  ds: DataSource,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  const run = (tails.get(ds) ?? Promise.resolve()).then(() => ds.transaction(fn));
  tails.set(
    ds,
    run.catch(() => undefined),
  );
  return run;
}
