/**
 * What each part of the SQLite log schema costs at ingest: the log bench's lines (log-lines.ts)
 * written into one fresh database per schema variant, one prepared statement per row in
 * 5,000-line transactions, the index fed `searchText(message)` as the store feeds it; the
 * variants run one after the other in one process, so their ratios hold on a loaded machine.
 * Then the searches each variant would have to answer, on its own database (median of 10).
 * `shipped` is the schema of the 1764750000000-logs migration with the merge settings of
 * 1764791000000-log-fts-merge; `default-merge` the same with FTS5's default merge settings.
 *
 *   node tools/build/build-node.mjs tools/bench/fts5-variants.ts dist/tools/fts5-variants.js \
 *     apps/api/tsconfig.app.json && node dist/tools/fts5-variants.js [--lines 200000] [--only a,b]
 */
import { searchText } from '@tyto/contracts';
import Database from 'better-sqlite3';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeLine } from './log-lines';

interface Variant {
  /** FTS5 options after the tokenizer; absent: no FTS5 table at all. */
  fts?: string;
  noAutoincrement?: boolean;
  noIndexes?: boolean;
  synchronous?: string;
  /** Extra connection pragmas, e.g. `cache_size = -65536`. */
  pragmas?: string[];
  /** FTS5 configuration options, `INSERT INTO log_fts(log_fts, rank) VALUES (name, value)`. */
  ftsConfig?: [string, number][];
  /** Without contentless_delete=1 (rows could then only be removed by 'delete' with their text). */
  noContentlessDelete?: boolean;
}

const VARIANTS: Record<string, Variant> = {
  shipped: {
    fts: "prefix='2 3'",
    ftsConfig: [
      ['automerge', 8],
      ['hashsize', 16 * 1024 * 1024],
    ],
  },
  'default-merge': { fts: "prefix='2 3'" },
  'prefix-2': { fts: "prefix='2'" },
  'no-prefix': { fts: '' },
  'column-prefix-2-3': { fts: "prefix='2 3', detail=column" },
  'none-prefix-2-3': { fts: "prefix='2 3', detail=none" },
  'none-no-prefix': { fts: 'detail=none' },
  'no-autoincrement': { fts: "prefix='2 3'", noAutoincrement: true },
  'synchronous-normal': { fts: "prefix='2 3'", synchronous: 'NORMAL' },
  'no-btree-indexes': { fts: "prefix='2 3'", noIndexes: true },
  'cache-64mb': { fts: "prefix='2 3'", pragmas: ['cache_size = -65536'] },
  'cache-256mb': { fts: "prefix='2 3'", pragmas: ['cache_size = -262144'] },
  'automerge-8': { fts: "prefix='2 3'", ftsConfig: [['automerge', 8]] },
  'automerge-16': { fts: "prefix='2 3'", ftsConfig: [['automerge', 16]] },
  'pgsz-16k': { fts: "prefix='2 3'", ftsConfig: [['pgsz', 16000]] },
  'crisismerge-64': { fts: "prefix='2 3'", ftsConfig: [['crisismerge', 64]] },
  'hash-16mb': { fts: "prefix='2 3'", ftsConfig: [['hashsize', 16 * 1024 * 1024]] },
  'no-contentless-delete': { fts: "prefix='2 3'", noContentlessDelete: true },
  'cache-64mb-hash-16mb': {
    fts: "prefix='2 3'",
    pragmas: ['cache_size = -65536'],
    ftsConfig: [['hashsize', 16 * 1024 * 1024]],
  },
  'bare-fts5': { fts: 'detail=none', noAutoincrement: true, noIndexes: true },
  'no-fts': {},
};

const SEARCHES: Record<string, string> = {
  'common word': `"connection"`,
  'prefix w1*': `"w1"*`,
  'prefix w1a*': `"w1a"*`,
  'phrase "connection w1x"': `"connection w1x"`,
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function main(): void {
  const n = Number(arg('lines', '200000'));
  const only = arg('only', Object.keys(VARIANTS).join(',')).split(',');
  for (const name of only) if (!VARIANTS[name]) throw new Error(`unknown variant '${name}'`);
  const t0 = Date.UTC(2026, 0, 1);
  const lines = Array.from({ length: n }, (_, i) => {
    const { agentId, line } = makeLine(i, t0);
    return { ts: t0 + i * 10, agentId, line, fields: JSON.stringify(line.fields) };
  });
  const bodies = lines.map((l) => searchText(l.line.message));

  const version = (
    new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as {
      v: string;
    }
  ).v;
  console.log(`fts5-variants: ${n} lines; SQLite ${version}\n`);
  const names = Object.keys(SEARCHES);
  console.log(`| variant | lines/s | per CPU-second | MB | ${names.join(' | ')} |`);
  console.log(`| --- | ---: | ---: | ---: | ${names.map(() => '---:').join(' | ')} |`);
  for (const name of only) {
    const v = VARIANTS[name];
    const file = path.join(tmpdir(), `tyto-fts5-variant-${name}.db`);
    const drop = () => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));
    drop();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    if (v.synchronous) db.pragma(`synchronous = ${v.synchronous}`);
    for (const p of v.pragmas ?? []) db.pragma(p);
    db.exec(
      `CREATE TABLE log_entries (id integer PRIMARY KEY ${v.noAutoincrement ? '' : 'AUTOINCREMENT'} NOT NULL, ts bigint NOT NULL, agent_id varchar(128) NOT NULL, source varchar(16) NOT NULL, source_name varchar(1024) NOT NULL, level varchar(16) NOT NULL, message text NOT NULL, fields text NOT NULL, size integer NOT NULL)`,
    );
    if (!v.noIndexes) {
      db.exec('CREATE INDEX idx_agent_ts ON log_entries (agent_id, ts, id)');
      db.exec('CREATE INDEX idx_ts ON log_entries (ts, id)');
    }
    if (v.fts !== undefined)
      db.exec(
        `CREATE VIRTUAL TABLE log_fts USING fts5(body, content=''${v.noContentlessDelete ? '' : ', contentless_delete=1'}, tokenize='unicode61 remove_diacritics 0'${v.fts ? `, ${v.fts}` : ''})`,
      );
    for (const [name, value] of v.ftsConfig ?? [])
      // Literals: FTS5 refuses these commands with bound parameters.
      db.exec(`INSERT INTO log_fts (log_fts, rank) VALUES ('${name}', ${Math.trunc(value)})`);
    const entry = db.prepare(
      'INSERT INTO log_entries (ts, agent_id, source, source_name, level, message, fields, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const fts =
      v.fts === undefined ? null : db.prepare('INSERT INTO log_fts (rowid, body) VALUES (?, ?)');
    const write = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const l = lines[i];
        const r = entry.run(
          l.ts,
          l.agentId,
          l.line.source,
          l.line.source_name,
          l.line.level,
          l.line.message,
          l.fields,
          l.line.message.length,
        );
        fts?.run(r.lastInsertRowid, bodies[i]);
      }
    });
    const w0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i += 5000) write(i, Math.min(n, i + 5000));
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    const cpu = process.cpuUsage(c0);
    const times = Object.values(SEARCHES).map((expr) => {
      if (!fts) return '—';
      const search = db.prepare(
        'SELECT rowid FROM log_fts WHERE log_fts MATCH ? ORDER BY rowid DESC LIMIT 100',
      );
      try {
        search.all(expr);
        const runs: number[] = [];
        for (let i = 0; i < 10; i++) {
          const q0 = process.hrtime.bigint();
          search.all(expr);
          runs.push(Number(process.hrtime.bigint() - q0) / 1e6);
        }
        return `${runs.sort((a, b) => a - b)[5].toFixed(1)} ms`;
      } catch (e) {
        return `error: ${(e as Error).message.replace(/^fts5: /, '')}`;
      }
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const mb = statSync(file).size / 1e6;
    const rate = (x: number) => Math.round(x).toLocaleString('en');
    console.log(
      `| ${name} | ${rate(n / wall)} | ${rate(n / ((cpu.user + cpu.system) / 1e6))} | ${Math.round(mb)} | ${times.join(' | ')} |`,
    );
    db.close();
    drop();
  }
}

main();
