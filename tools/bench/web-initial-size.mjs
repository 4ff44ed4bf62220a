#!/usr/bin/env node
// The JavaScript and CSS a browser loads before the first route: every script index.html names,
// and every chunk they import statically (import … from "./chunk-….js", not import()), raw and
// with gzip -9. Usage, after `nx run web:build`:
//   node tools/bench/web-initial-size.mjs [dist/apps/web/browser]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { constants, gzipSync } from 'node:zlib';

const dir = path.resolve(process.argv[2] ?? 'dist/apps/web/browser');
const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<script src="([^"]+\.js)"/g)].map((m) => m[1]);
const styles = [...html.matchAll(/<link rel="stylesheet" href="([^"]+\.css)"/g)].map((m) => m[1]);

const seen = new Set();
const queue = [...entries];
while (queue.length > 0) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const code = readFileSync(path.join(dir, file), 'utf8');
  // Static imports only: `import{a as b}from"./chunk-X.js"` and `import"./chunk-X.js"`.
  for (const m of code.matchAll(
    /(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+\.js)["']/g,
  ))
    queue.push(m[1]);
  for (const m of code.matchAll(/\bfrom\s*["']\.\/([^"']+\.js)["']/g)) queue.push(m[1]);
}

function sizes(files) {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(path.join(dir, f));
    raw += buf.length;
    gzip += gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;
  }
  return { raw, gzip };
}

const kB = (n) => (n / 1000).toFixed(1);
const js = sizes([...seen]);
const css = sizes(styles);
console.log(`initial scripts: ${seen.size} files, ${kB(js.raw)} kB raw, ${kB(js.gzip)} kB gzip -9`);
console.log(
  `initial CSS: ${styles.length} files, ${kB(css.raw)} kB raw, ${kB(css.gzip)} kB gzip -9`,
);
