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

/**
 * Resolves on the event loop's next turn. better-sqlite3 is synchronous and TypeORM's awaits
 * between its statements are only microtasks, so a run of transactions holds the event loop
 * (SSE writes, agent acks, requests) until it ends; awaiting this between them lets I/O through.
 * Never await it inside a transaction: on SQLite's one shared connection another caller's
 * statements would land in the open transaction.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
