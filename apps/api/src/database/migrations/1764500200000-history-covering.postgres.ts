import type { MigrationInterface, QueryRunner } from 'typeorm';

const SERIES = [
  'cpu',
  'memory',
  'swap',
  'load',
  'temperature',
  'gpu',
  'disk_read',
  'disk_write',
  'net_rx',
  'net_tx',
];
const STATS = SERIES.flatMap((s) => [`${s}_avg`, `${s}_min`, `${s}_max`]);

// PostgreSQL only: covering indexes so a history chart is an index-only scan over adjacent pages
// instead of one heap page per row (see history.entities.ts). Index-only scans need the visibility
// map, which autovacuum keeps for insert-only tables only after many inserts by default, so these
// tables are vacuumed after every 10,000 new rows instead.
export class HistoryCoveringPostgres1764500200000 implements MigrationInterface {
  name = 'HistoryCoveringPostgres1764500200000';

  async up(q: QueryRunner): Promise<void> {
    // Two key columns and thirty statistics: exactly PostgreSQL's limit of 32 per index, which
    // is why the bucket's sample count (read by rollups only) stays out.
    const tables: [string, string[]][] = [
      ['raw', SERIES],
      ['1m', STATS],
      ['5m', STATS],
      ['1h', STATS],
    ];
    for (const [tier, columns] of tables) {
      await q.query(
        `CREATE INDEX "idx_history_${tier}_series" ON "history_${tier}" ("agent_id", "ts") INCLUDE (${columns.map((c) => `"${c}"`).join(', ')})`,
      );
      await q.query(
        `ALTER TABLE "history_${tier}" SET (autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0)`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const tier of ['raw', '1m', '5m', '1h']) {
      await q.query(`DROP INDEX "idx_history_${tier}_series"`);
      await q.query(
        `ALTER TABLE "history_${tier}" RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor)`,
      );
    }
  }
}
