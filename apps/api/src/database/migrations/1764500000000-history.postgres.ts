import type { MigrationInterface, QueryRunner } from 'typeorm';

// Metrics history: raw samples and the 1m / 5m / 1h rollup tiers (numbers only), their JSON
// detail, and the rollup progress per agent.
export class HistoryPostgres1764500000000 implements MigrationInterface {
  name = 'HistoryPostgres1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "history_raw" ("agent_id" character varying(128) NOT NULL, "ts" bigint NOT NULL, "cpu" real, "memory" real, "swap" real, "load" real, "temperature" real, "gpu" real, "disk_read" real, "disk_write" real, "net_rx" real, "net_tx" real, CONSTRAINT "PK_62bb02326a8e4c85077aa118eed" PRIMARY KEY ("agent_id", "ts"))`,
    );
    await q.query(
      `CREATE TABLE "history_1m" ("agent_id" character varying(128) NOT NULL, "ts" bigint NOT NULL, "samples" integer NOT NULL, "cpu_avg" real, "cpu_min" real, "cpu_max" real, "memory_avg" real, "memory_min" real, "memory_max" real, "swap_avg" real, "swap_min" real, "swap_max" real, "load_avg" real, "load_min" real, "load_max" real, "temperature_avg" real, "temperature_min" real, "temperature_max" real, "gpu_avg" real, "gpu_min" real, "gpu_max" real, "disk_read_avg" real, "disk_read_min" real, "disk_read_max" real, "disk_write_avg" real, "disk_write_min" real, "disk_write_max" real, "net_rx_avg" real, "net_rx_min" real, "net_rx_max" real, "net_tx_avg" real, "net_tx_min" real, "net_tx_max" real, CONSTRAINT "PK_05725e5fd9f6313b1459a4002d2" PRIMARY KEY ("agent_id", "ts"))`,
    );
    await q.query(
      `CREATE TABLE "history_5m" ("agent_id" character varying(128) NOT NULL, "ts" bigint NOT NULL, "samples" integer NOT NULL, "cpu_avg" real, "cpu_min" real, "cpu_max" real, "memory_avg" real, "memory_min" real, "memory_max" real, "swap_avg" real, "swap_min" real, "swap_max" real, "load_avg" real, "load_min" real, "load_max" real, "temperature_avg" real, "temperature_min" real, "temperature_max" real, "gpu_avg" real, "gpu_min" real, "gpu_max" real, "disk_read_avg" real, "disk_read_min" real, "disk_read_max" real, "disk_write_avg" real, "disk_write_min" real, "disk_write_max" real, "net_rx_avg" real, "net_rx_min" real, "net_rx_max" real, "net_tx_avg" real, "net_tx_min" real, "net_tx_max" real, CONSTRAINT "PK_fcb3c333af93f4d8a4a44612c92" PRIMARY KEY ("agent_id", "ts"))`,
    );
    await q.query(
      `CREATE TABLE "history_1h" ("agent_id" character varying(128) NOT NULL, "ts" bigint NOT NULL, "samples" integer NOT NULL, "cpu_avg" real, "cpu_min" real, "cpu_max" real, "memory_avg" real, "memory_min" real, "memory_max" real, "swap_avg" real, "swap_min" real, "swap_max" real, "load_avg" real, "load_min" real, "load_max" real, "temperature_avg" real, "temperature_min" real, "temperature_max" real, "gpu_avg" real, "gpu_min" real, "gpu_max" real, "disk_read_avg" real, "disk_read_min" real, "disk_read_max" real, "disk_write_avg" real, "disk_write_min" real, "disk_write_max" real, "net_rx_avg" real, "net_rx_min" real, "net_rx_max" real, "net_tx_avg" real, "net_tx_min" real, "net_tx_max" real, CONSTRAINT "PK_10d46b7a60c4829d46540d44c17" PRIMARY KEY ("agent_id", "ts"))`,
    );
    await q.query(
      `CREATE TABLE "history_detail" ("agent_id" character varying(128) NOT NULL, "tier" character varying(4) NOT NULL, "ts" bigint NOT NULL, "entities" text, "processes" text, CONSTRAINT "PK_6759041809f302e3ef8a2fcd70e" PRIMARY KEY ("agent_id", "tier", "ts"))`,
    );
    await q.query(
      `CREATE TABLE "history_rollup_state" ("agent_id" character varying(128) NOT NULL, "tier" character varying(4) NOT NULL, "rolled_until" bigint NOT NULL, CONSTRAINT "PK_57e1a6dea2433d432f66be6ff56" PRIMARY KEY ("agent_id", "tier"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "history_rollup_state"`);
    await q.query(`DROP TABLE "history_detail"`);
    await q.query(`DROP TABLE "history_1h"`);
    await q.query(`DROP TABLE "history_5m"`);
    await q.query(`DROP TABLE "history_1m"`);
    await q.query(`DROP TABLE "history_raw"`);
  }
}
