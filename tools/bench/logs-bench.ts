// Log benchmark: ingest rate with the full-text index and search latency over a million stored
// lines, on a fresh SQLite file and a fresh PostgreSQL database, through the hub's own log
// stores; then the CPU a file reader costs while tailing a file written at 1,000 lines/s.
//
//   node tools/build/build-node.mjs tools/bench/logs-bench.ts dist/tools/logs-bench.js \
//     apps/api/tsconfig.app.json && node dist/tools/logs-bench.js
//
// Options: --lines 1000000 --queries 100 --only sqlite|postgres|reader --tail-seconds 20
//          --keep (leave the databases, to look at query plans)
//          --pg postgres://postgres@127.0.0.1:5432/postgres (a server where it may create a database)
//          --pg-db NAME (the database it creates there; default tyto_logs_bench_<pid>)
import 'reflect-metadata';
import { parseLogSearch, searchText } from '@tyto/contracts';
import { FileReader, LogStateStore } from '@tyto/logs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../apps/api/src/common/config';
import { dataSourceOptions, openDataSource } from '../../apps/api/src/database/data-source';
import type { LogFilter, LogStore, Row, StoredLine } from '../../apps/api/src/logs/log-store';
import { PostgresLogStore, tsvectorLiteral } from '../../apps/api/src/logs/postgres-log-store';
import { SqliteLogStore } from '../../apps/api/src/logs/sqlite-log-store';
import { makeLine, restartLines } from './log-lines';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const LINES = Number(arg('lines', '1000000'));
const QUERIES = Number(arg('queries', '100'));
const PG_URL = arg('pg', 'postgres://postgres@127.0.0.1:5432/postgres');
/** The database it creates there (and drops afterwards unless --keep). */
const PG_DB = arg('pg-db', `tyto_logs_bench_${process.pid}`);
const ONLY = arg('only', '');
const TAIL_SECONDS = Number(arg('tail-seconds', '20'));
/** Leave the databases in place afterwards, to look at query plans. */
const KEEP = process.argv.includes('--keep');
/** Query what an earlier --keep run left (a SQLite file's directory, or the --pg-db database). */
const REUSE = arg('reuse', '');
/** Skip the raw-engine reference writer (it doubles the ingest time). */
const NO_REFERENCE = process.argv.includes('--no-reference');
/** Lines per insert: the ingest service's flush size. */
const BATCH = 5000;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (v: number) => `${v.toFixed(1)} ms`;

/**
 * CPU milliseconds spent so far on the writing side: this process, plus on PostgreSQL every
 * server process connected to the bench's database (read from /proc; the server runs on this
 * machine), since the server does most of the work there.
 */
async function cpuNow(kind: 'sqlite' | 'postgres', ds: DataSource): Promise<number> {
  const own = process.cpuUsage();
  let ms = (own.user + own.system) / 1000;
  if (kind === 'postgres') {
    const pids: Row[] = await ds.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
    );
    const tick = 1000 / 100; // USER_HZ
    for (const r of pids) {
      try {
        const stat = readFileSync(`/proc/${Number(r['pid'])}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ms += (Number(f[11]) + Number(f[12])) * tick; // utime, stime
      } catch {
        // A backend that just ended counts no more.
      }
    }
  }
  return ms;
}

interface ReferenceWriter {
  write(batch: StoredLine[]): Promise<void>;
  close(): Promise<void>;
}

/** The raw engine on the same schema: see benchStore. */
async function referenceWriter(
  kind: 'sqlite' | 'postgres',
  ds: DataSource,
  dataDir: string,
): Promise<ReferenceWriter> {
  const prep = (batch: StoredLine[]) =>
    batch.map((s) => {
      const fields = JSON.stringify(s.line.fields);
      return { s, fields, size: Buffer.byteLength(s.line.message) + fields.length + 64 };
    });
  if (kind === 'sqlite') {
    const dir = path.join(dataDir, 'reference');
    const refDs = await openDataSource(
      dataSourceOptions(loadConfig({ TYTO_DATA_DIR: dir, TYTO_DATABASE_URL: '' }, null)),
    );
    const db = (refDs.driver as unknown as { databaseConnection: Database }).databaseConnection;
    const entry = db.prepare(
      'INSERT INTO log_entries (ts, agent_id, source, source_name, level, message, fields, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const fts = db.prepare('INSERT INTO log_fts (rowid, body) VALUES (?, ?)');
    const tx = db.transaction((rows: ReturnType<typeof prep>) => {
      for (const { s, fields, size } of rows) {
        const l = s.line;
        const r = entry.run(
          s.ts,
          s.agentId,
          l.source,
          l.source_name,
          l.level,
          l.message,
          fields,
          size,
        );
        fts.run(r.lastInsertRowid, s.body);
      }
    });
    return {
      write: (batch) => {
        tx(prep(batch));
        return Promise.resolve();
      },
      close: () => refDs.destroy(),
    };
  }
  await ds.query('CREATE TABLE log_reference (LIKE log_entries INCLUDING ALL)');
  const client = new Client({ connectionString: (ds.options as { url: string }).url });
  await client.connect();
  return {
    write: async (batch) => {
      const rows = prep(batch);
      await client.query(
        `INSERT INTO log_reference (ts, agent_id, source, source_name, level, message, fields, size, tsv)
         SELECT ts, a, s, n, l, m, f, z, b::tsvector
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::int[], $9::text[]) AS t(ts, a, s, n, l, m, f, z, b)`,
        [
          rows.map((r) => r.s.ts),
          rows.map((r) => r.s.agentId),
          rows.map((r) => r.s.line.source),
          rows.map((r) => r.s.line.source_name),
          rows.map((r) => r.s.line.level),
          rows.map((r) => r.s.line.message),
          rows.map((r) => r.fields),
          rows.map((r) => r.size),
          // The store's way to the tsvector, a literal (to_tsvector per line costs a fifth more).
          rows.map((r) => tsvectorLiteral(r.s.body)),
        ],
      );
    },
    close: async () => {
      await client.end();
      await ds.query('DROP TABLE log_reference');
    },
  };
}

async function benchStore(kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const dataDir =
    REUSE && kind === 'sqlite' ? REUSE : mkdtempSync(path.join(tmpdir(), 'tyto-logs-bench-'));
  let dbName: string | null = null;
  let databaseUrl = '';
  if (kind === 'postgres') {
    dbName = PG_DB;
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    if (!REUSE) await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const config = loadConfig({ TYTO_DATA_DIR: dataDir, TYTO_DATABASE_URL: databaseUrl }, null);
  const ds = await openDataSource(dataSourceOptions(config));
  const store: LogStore = kind === 'postgres' ? new PostgresLogStore(ds) : new SqliteLogStore(ds);
  const rows: string[] = [];
  try {
    restartLines();
    const t0 = Date.now() - LINES * 10;
    // The raw engine beside the store, fed the same batches in turn, so both see the same load:
    // the same schema (a second migrated SQLite file; on PostgreSQL a copy of the table with its
    // indexes) written with one hand-written statement per row (SQLite) or per batch
    // (PostgreSQL), the words and the JSON computed outside the timing.
    const ref = REUSE || NO_REFERENCE ? null : await referenceWriter(kind, ds, dataDir);
    const store_ = { wall: 0, cpu: 0 };
    const ref_ = { wall: 0, cpu: 0 };
    for (let i = 0; i < (REUSE ? 0 : LINES); i += BATCH) {
      const batch: StoredLine[] = [];
      for (let k = i; k < Math.min(LINES, i + BATCH); k++) {
        const { agentId, line } = makeLine(k, t0);
        // What the ingest service does per line before the insert, counted with it.
        batch.push({ agentId, ts: Date.parse(line.timestamp), line, body: '' });
      }
      const timed = async (t: { wall: number; cpu: number }, work: () => Promise<unknown>) => {
        const c0 = await cpuNow(kind, ds);
        const start = performance.now();
        await work();
        t.wall += performance.now() - start;
        t.cpu += (await cpuNow(kind, ds)) - c0;
      };
      const viaStore = () =>
        timed(store_, () => {
          for (const s of batch) s.body = searchText(s.line.message);
          return store.insert(batch);
        });
      // The words are the store's work; the reference is handed them.
      const refBatch = ref ? batch.map((s) => ({ ...s, body: searchText(s.line.message) })) : [];
      const viaRef = () => timed(ref_, () => ref?.write(refBatch) ?? Promise.resolve());
      // Turn about, so neither always runs just after the batch was made (the GC it leaves).
      if (!ref || (i / BATCH) % 2 === 0) {
        await viaStore();
        if (ref) await viaRef();
      } else {
        await viaRef();
        await viaStore();
      }
    }
    await ref?.close();
    if (!REUSE) {
      const rate = (t: { wall: number; cpu: number }) =>
        `${Math.round(LINES / (t.wall / 1000)).toLocaleString('en')} lines/s (${Math.round(LINES / (t.cpu / 1000)).toLocaleString('en')} per CPU-second)`;
      console.log(
        `${kind}: stored ${LINES} lines in ${(store_.wall / 1000).toFixed(1)} s: ${rate(store_)}`,
      );
      rows.push(
        `| ${kind} | ingest (${BATCH}-line transactions, FTS index included) | ${rate(store_)} | | |`,
      );
      if (ref) {
        const ratio = (ref_.wall / store_.wall).toFixed(2);
        console.log(`${kind}: raw engine, same schema: ${rate(ref_)}; store/raw ${ratio}`);
        rows.push(
          `| ${kind} | raw engine, same schema and lines (store/raw ${ratio}) | ${rate(ref_)} | | |`,
        );
      }
    }
    if (kind === 'postgres') {
      await ds.query('VACUUM ANALYZE log_entries');
    } else await ds.query('ANALYZE');

    const cases: [string, LogFilter][] = [
      ['newest 100, no search', {}],
      ['common word (`connection`, 30% of lines)', { search: parseLogSearch('connection') }],
      ['rare word (`xyzzy`, 0.01%)', { search: parseLogSearch('xyzzy') }],
      [
        'common word on one host (1/20 of lines)',
        { agentId: 'host-2', search: parseLogSearch('connection') },
      ],
      [
        'phrase + exclusion (`"connection w1x" -w2x`)',
        { search: parseLogSearch('"connection w1x" -w2x') },
      ],
      ['prefix (`w1*`)', { search: parseLogSearch('w1*') }],
    ];
    for (const [name, filter] of cases) {
      await store.query(filter, 100, 0); // warm the cache once
      const times: number[] = [];
      let total = 0;
      for (let q = 0; q < QUERIES; q++) {
        const start = performance.now();
        const page = await store.query(filter, 100, 0);
        times.push(performance.now() - start);
        total = page.total;
      }
      times.sort((a, b) => a - b);
      console.log(`${kind}: ${name}: median ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}`);
      rows.push(
        `| ${kind} | ${name} (total ${total.toLocaleString('en')}) | | ${ms(pct(times, 50))} | ${ms(pct(times, 95))} |`,
      );
    }
  } finally {
    await ds.destroy();
    if (KEEP || REUSE) {
      console.log(`${kind}: kept ${dbName ?? path.join(dataDir, 'tyto.db')}`);
    } else {
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    }
  }
  return rows;
}

/** A writer process appends 1,000 lines/s; this process's CPU while its FileReader tails them. */
async function benchReader(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-logs-tail-'));
  const file = path.join(dir, 'busy.log');
  writeFileSync(file, '');
  let got = 0;
  const reader = new FileReader({
    patterns: [file],
    sink: (lines) => {
      got += lines.length;
    },
    state: new LogStateStore(path.join(dir, 'state.json')),
  });
  await reader.poll();
  reader.start();
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(file)},'a');let i=0;` +
        `const end=Date.now()+${TAIL_SECONDS * 1000};` +
        `const t=setInterval(()=>{for(let k=0;k<100;k++)fs.writeSync(fd,'2026-01-01T00:00:00Z INFO request '+(i++)+' served in 12ms by worker 3 status=200 path=/api/v1/items\\n');` +
        `if(Date.now()>end){clearInterval(t);process.exit(0)}},100);`,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 2000)); // let the writer settle
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const got0 = got;
  await new Promise((r) => setTimeout(r, (TAIL_SECONDS - 4) * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const lines = got - got0;
  await new Promise((r) => writer.once('exit', r));
  await reader.close();
  rmSync(dir, { recursive: true, force: true });
  const share = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const rate = lines / (wallMs / 1000);
  console.log(`reader: ${rate.toFixed(0)} lines/s read, ${share.toFixed(2)} % of a core`);
  return [
    `| reader | tailing a file written at ${Math.round(rate)} lines/s (poll 250 ms, parse, level sniff) | ${share.toFixed(2)} % of a core | | |`,
  ];
}

async function main(): Promise<void> {
  console.log(
    `logs-bench: ${LINES} lines, ${QUERIES} queries per case; ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows: string[] = [];
  if (!ONLY || ONLY === 'sqlite') rows.push(...(await benchStore('sqlite')));
  if (!ONLY || ONLY === 'postgres') rows.push(...(await benchStore('postgres')));
  if (!ONLY || ONLY === 'reader') rows.push(...(await benchReader()));
  console.log('\n| Database | Case | Rate | Median | p95 |\n| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
