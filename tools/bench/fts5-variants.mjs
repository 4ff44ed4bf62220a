#!/usr/bin/env node
// What each part of the SQLite log schema costs at ingest: the same lines (the logs bench's
// generator: ~12 words from a 3,000-word Zipf-like vocabulary, a pid and a duration) written
// into one fresh database per variant, one prepared statement per row, 5,000-line
// transactions, in one process one after the other, so the ratios hold on a loaded machine.
// Then the searches each variant would have to answer, timed on its own database.
// `shipped` is the schema of the 1764750000000-logs migration.
//   node tools/bench/fts5-variants.mjs [--lines 200000] [--only shipped,none-noprefix,…]
import { createRequire } from 'node:module';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const N = Number(arg('lines', '200000'));

const VARIANTS = {
  shipped: { fts: "prefix='2 3'" },
  'prefix-2': { fts: "prefix='2'" },
  'no-prefix': { fts: '' },
  'column-prefix-2-3': { fts: "prefix='2 3', detail=column" },
  'none-prefix-2-3': { fts: "prefix='2 3', detail=none" },
  'none-no-prefix': { fts: 'detail=none' },
  'no-autoincrement': { fts: "prefix='2 3'", noAutoincrement: true },
  'synchronous-normal': { fts: "prefix='2 3'", synchronous: 'NORMAL' },
  'no-btree-indexes': { fts: "prefix='2 3'", noIndexes: true },
  'bare-fts5': { fts: 'detail=none', noAutoincrement: true, noIndexes: true },
  'no-fts': { noFts: true },
};
const only = arg('only', Object.keys(VARIANTS).join(',')).split(',');
for (const name of only) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);

let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const VOCAB = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x`);
const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)];
const lines = Array.from({ length: N }, (_, i) => {
  const words = Array.from({ length: 8 + Math.floor(rand() * 8) }, word);
  if (i % 10 < 3) words.splice(2, 0, 'connection');
  const message = `${words.join(' ')} pid=${1000 + (i % 5000)} took ${Math.floor(rand() * 900)}ms`;
  return {
    ts: 1_764_000_000_000 + i * 10,
    agent: `host-${i % 20}`,
    message,
    fields: JSON.stringify({ pid: String(1000 + (i % 5000)), comm: 'bench' }),
    body: message.replace(/[^A-Za-z0-9]+/g, ' '),
  };
});

const SEARCHES = {
  'common word': `"connection"`,
  'prefix w1*': `"w1"*`,
  'prefix w1a*': `"w1a"*`,
  'phrase "connection w1x"': `"connection w1x"`,
};

console.log(
  `fts5-variants: ${N} lines; SQLite ${new Database(':memory:').prepare('select sqlite_version() v').get().v}\n`,
);
console.log(`| variant | lines/s | per CPU-second | MB | ${Object.keys(SEARCHES).join(' | ')} |`);
console.log(
  `| --- | ---: | ---: | ---: | ${Object.keys(SEARCHES)
    .map(() => '---:')
    .join(' | ')} |`,
);
for (const name of only) {
  const v = VARIANTS[name];
  const file = path.join(tmpdir(), `tyto-fts5-variant-${name}.db`);
  const drop = () => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));
  drop();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (v.synchronous) db.pragma(`synchronous = ${v.synchronous}`);
  db.exec(
    `CREATE TABLE log_entries (id integer PRIMARY KEY ${v.noAutoincrement ? '' : 'AUTOINCREMENT'} NOT NULL, ts bigint NOT NULL, agent_id varchar(128) NOT NULL, source varchar(16) NOT NULL, source_name varchar(1024) NOT NULL, level varchar(16) NOT NULL, message text NOT NULL, fields text NOT NULL, size integer NOT NULL)`,
  );
  if (!v.noIndexes) {
    db.exec('CREATE INDEX idx_agent_ts ON log_entries (agent_id, ts, id)');
    db.exec('CREATE INDEX idx_ts ON log_entries (ts, id)');
  }
  if (!v.noFts)
    db.exec(
      `CREATE VIRTUAL TABLE log_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'${v.fts ? `, ${v.fts}` : ''})`,
    );
  const entry = db.prepare(
    'INSERT INTO log_entries (ts, agent_id, source, source_name, level, message, fields, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const fts = v.noFts ? null : db.prepare('INSERT INTO log_fts (rowid, body) VALUES (?, ?)');
  const write = db.transaction((batch) => {
    for (const l of batch) {
      const r = entry.run(
        l.ts,
        l.agent,
        'journal',
        'nginx.service',
        'info',
        l.message,
        l.fields,
        100,
      );
      fts?.run(r.lastInsertRowid, l.body);
    }
  });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i += 5000) write(lines.slice(i, i + 5000));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const times = Object.values(SEARCHES).map((expr) => {
    if (v.noFts) return '—';
    const sql = `SELECT rowid FROM log_fts WHERE log_fts MATCH ? ORDER BY rowid DESC LIMIT 100`;
    try {
      db.prepare(sql).all(expr);
      const runs = [];
      for (let i = 0; i < 10; i++) {
        const q0 = process.hrtime.bigint();
        db.prepare(sql).all(expr);
        runs.push(Number(process.hrtime.bigint() - q0) / 1e6);
      }
      return `${runs.sort((a, b) => a - b)[5].toFixed(1)} ms`;
    } catch (e) {
      return `error: ${e.message.replace(/^fts5: /, '')}`;
    }
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  const mb = statSync(file).size / 1e6;
  console.log(
    `| ${name} | ${Math.round(N / wall).toLocaleString('en')} | ${Math.round(N / ((cpu.user + cpu.system) / 1e6)).toLocaleString('en')} | ${Math.round(mb)} | ${times.join(' | ')} |`,
  );
  db.close();
  drop();
}
