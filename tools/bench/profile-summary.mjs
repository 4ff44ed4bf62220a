#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package and by function, so
// a benchmark run can say where the time went.
// Usage: node tools/bench/profile-summary.mjs FILE [N] [--window FROM-TO]
// --window: only the samples taken FROM to TO seconds after the profile started (one phase of a
// bench, e.g. its back-fill, instead of the whole run with its set-up).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const w = argv.indexOf('--window');
const [winFrom, winTo] = w >= 0 ? argv.splice(w, 2)[1].split('-').map(Number) : [0, Infinity];
const [file, topArg] = argv;
if (!file || Number.isNaN(winFrom) || Number.isNaN(winTo)) {
  console.error('usage: profile-summary.mjs FILE.cpuprofile [N] [--window FROM-TO]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
let at = 0;
for (let i = 0; i < prof.samples.length; i++) {
  at += dt[i] ?? 0;
  if (at < winFrom * 1e6 || at > winTo * 1e6) continue;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

// The package a frame belongs to: node_modules/<pkg>, node's own internals, or our bundle.
function owner(url) {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '').replace(/^.*\/(dist|apps|libs)\//, '$1/');
}
// A bundle's frames (one long line each) are named by their source file and line through the
// bundle's .map, where there is one beside it.
const maps = new Map();
function sourceOf(cf) {
  if (!cf.url?.startsWith('file://') || cf.url.includes('/node_modules/')) return null;
  let map = maps.get(cf.url);
  if (map === undefined) {
    const file = `${fileURLToPath(cf.url)}.map`;
    map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null;
    maps.set(cf.url, map);
  }
  const e = map?.findEntry(cf.lineNumber, cf.columnNumber);
  if (!e?.originalSource) return null;
  return `${e.originalSource.replace(/^.*?\/(apps|libs|tools)\//, '$1/')}:${e.originalLine + 1}`;
}
const frameKey = (cf) =>
  `${cf.functionName || '(anonymous)'} ${sourceOf(cf) ?? `${owner(cf.url)}:${cf.lineNumber + 1}`}`;
const byOwner = new Map();
const byFn = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const special = ['(idle)', '(program)', '(garbage collector)'].includes(cf.functionName);
  const o = special ? cf.functionName : owner(cf.url);
  byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  const key = frameKey(cf);
  byFn.set(key, (byFn.get(key) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + ' %';
const busy = total - (byOwner.get('(idle)') ?? 0);
console.log(`total ${(total / 1e6).toFixed(2)} s sampled, busy ${(busy / 1e6).toFixed(2)} s`);
console.log('\nself time by owner');
for (const [k, v] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k);
console.log('\nself time by function');
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k);

// Inclusive time (the function and everything it called), counted once per stack even when a
// function recurses: what a request-path step costs with its callees.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    if (['(root)', '(idle)', '(program)', '(garbage collector)'].includes(cf.functionName))
      continue;
    const key = frameKey(cf);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log('\ninclusive time by function');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(pct(v), k);
}
