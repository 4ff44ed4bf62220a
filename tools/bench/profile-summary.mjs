#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package and by function, so
// a benchmark run can say where the time went. Usage: node tools/bench/profile-summary.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
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
const byOwner = new Map();
const byFn = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const special = ['(idle)', '(program)', '(garbage collector)'].includes(cf.functionName);
  const o = special ? cf.functionName : owner(cf.url);
  byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  const key = `${cf.functionName || '(anonymous)'} ${owner(cf.url)}:${cf.lineNumber + 1}`;
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
    const key = `${cf.functionName || '(anonymous)'} ${owner(cf.url)}:${cf.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log('\ninclusive time by function');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(pct(v), k);
}
