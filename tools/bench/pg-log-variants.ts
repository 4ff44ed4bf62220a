/**
 * What each part of the PostgreSQL log schema costs at ingest, as fts5-variants.ts does for
 * SQLite: the log bench's lines (log-lines.ts) written into one table per variant, in one
 * database made for the run, one INSERT … SELECT FROM unnest(…) per 5,000 lines as the store
 * writes them, the tsvector made from `searchText(message)`. The variants take turns batch by
 * batch, so a busy moment of the machine falls on all of them alike. Then a one-word search per
 * variant (median of 10). `shipped` is the schema of the 1764750000000-logs migration, fed a
 * tsvector literal as the store feeds it (tsvectorLiteral); `to-tsvector` runs the parser instead.
 *
 *   node tools/build/build-node.mjs tools/bench/pg-log-variants.ts dist/tools/pg-log-variants.js \
 *     apps/api/tsconfig.app.json && node dist/tools/pg-log-variants.js [--lines 300000] [--only a,b]
 */
import { searchText } from '@tyto/contracts';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { tsvectorLiteral } from '../../apps/api/src/logs/postgres-log-store';
import { makeLine } from './log-lines';

interface Variant {
  /** Index definitions after the table's name, e.g. `USING GIN (tsv)`. */
  indexes: string[];
  /** The tsvector expression over the unnest column `b`. */
  tsv?: string;
}

const BTREES = ['(agent_id, ts, id)', '(ts, id)'];
const VARIANTS: Record<string, Variant> = {
  shipped: { indexes: [...BTREES, 'USING GIN (tsv)'], tsv: 'lit::tsvector' },
  'to-tsvector': { indexes: [...BTREES, 'USING GIN (tsv)'] },
  'gin-pending-16mb': {
    indexes: [...BTREES, 'USING GIN (tsv) WITH (gin_pending_list_limit = 16384)'],
  },
  'gin-pending-64mb': {
    indexes: [...BTREES, 'USING GIN (tsv) WITH (gin_pending_list_limit = 65536)'],
  },
  'gin-fastupdate-off': { indexes: [...BTREES, 'USING GIN (tsv) WITH (fastupdate = off)'] },
  'no-positions': {
    indexes: [...BTREES, 'USING GIN (tsv)'],
    tsv: "array_to_tsvector(string_to_array(b, ' '))",
  },
  'no-gin': { indexes: BTREES },
  'no-btrees': { indexes: ['USING GIN (tsv)'] },
  'no-indexes': { indexes: [] },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const n = Number(arg('lines', '300000'));
  const only = arg('only', Object.keys(VARIANTS).join(',')).split(',');
  for (const name of only) if (!VARIANTS[name]) throw new Error(`unknown variant '${name}'`);
  const url = arg('pg', 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `tyto_pg_variants_${process.pid}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  const db = new Client({ connectionString: u.toString() });
  await db.connect();
  try {
    const version = (await db.query<{ v: string }>('SHOW server_version')).rows[0].v;
    console.log(`pg-log-variants: ${n} lines; PostgreSQL ${version}\n`);
    const table = (name: string) => `v_${name.replace(/-/g, '_')}`;
    for (const name of only) {
      const t = table(name);
      await db.query(
        `CREATE TABLE ${t} (id BIGSERIAL PRIMARY KEY, ts bigint NOT NULL, agent_id varchar(128) NOT NULL, source varchar(16) NOT NULL, source_name varchar(1024) NOT NULL, level varchar(16) NOT NULL, message text NOT NULL, fields text NOT NULL, size integer NOT NULL, tsv tsvector NOT NULL)`,
      );
      for (const def of VARIANTS[name].indexes) await db.query(`CREATE INDEX ON ${t} ${def}`);
    }
    const spent = new Map(only.map((name) => [name, 0]));
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0, turn = 0; i < n; i += 5000, turn++) {
      const batch = [];
      for (let k = i; k < Math.min(n, i + 5000); k++) batch.push(makeLine(k, t0));
      const cols = [
        batch.map((_, k) => t0 + (i + k) * 10),
        batch.map((b) => b.agentId),
        batch.map((b) => b.line.source),
        batch.map((b) => b.line.source_name),
        batch.map((b) => b.line.level),
        batch.map((b) => b.line.message),
        batch.map((b) => JSON.stringify(b.line.fields)),
        batch.map((b) => b.line.message.length),
        batch.map((b) => searchText(b.line.message)),
        batch.map((b) => tsvectorLiteral(searchText(b.line.message))),
      ];
      // The literal outside the timing: the server's share is what this bench compares.
      // A different variant first each batch, so none always follows the batch's making.
      for (let j = 0; j < only.length; j++) {
        const name = only[(turn + j) % only.length];
        const tsv = VARIANTS[name].tsv ?? "to_tsvector('simple', b)";
        const start = performance.now();
        await db.query(
          `INSERT INTO ${table(name)} (ts, agent_id, source, source_name, level, message, fields, size, tsv)
           SELECT ts, a, s, n, l, m, f, z, ${tsv}
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::int[], $9::text[], $10::text[]) AS t(ts, a, s, n, l, m, f, z, b, lit)`,
          cols,
        );
        spent.set(name, (spent.get(name) ?? 0) + performance.now() - start);
      }
    }
    console.log('| variant | lines/s | MB | common word, newest 100 |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const name of only) {
      const t = table(name);
      await db.query(`VACUUM ANALYZE ${t}`);
      const search = `SELECT id FROM ${t} WHERE tsv @@ to_tsquery('simple', 'connection') ORDER BY ts DESC, id DESC LIMIT 100`;
      await db.query(search);
      const runs: number[] = [];
      for (let r = 0; r < 10; r++) {
        const q0 = performance.now();
        await db.query(search);
        runs.push(performance.now() - q0);
      }
      const mb = Number(
        (await db.query<{ b: string }>(`SELECT pg_total_relation_size('${t}') AS b`)).rows[0].b,
      );
      const rate = Math.round(n / ((spent.get(name) ?? 1) / 1000)).toLocaleString('en');
      console.log(
        `| ${name} | ${rate} | ${Math.round(mb / 1e6)} | ${runs.sort((a, b) => a - b)[5].toFixed(1)} ms |`,
      );
    }
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE ${dbName}`);
    await admin.end();
  }
}

void main().catch((e: unknown) => {
  console.error(`pg-log-variants: ${(e as Error).message}`);
  process.exit(1);
});
