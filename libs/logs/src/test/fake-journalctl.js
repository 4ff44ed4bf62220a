#!/usr/bin/env node
// Stands in for `journalctl --follow --output=json` where the machine has no journal: it reads
// entries (one JSON object per line, as journalctl prints them) from <dir>/entries.jsonl, given
// as --directory=<dir>, honours --after-cursor=<c> and --lines=0, then follows the file for
// appended entries. It writes each entry exactly as stored, so the reader sees journalctl's shape.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const dir = opt('directory');
if (!dir) {
  process.stderr.write('No journal files were found.\n');
  process.exit(1);
}
const file = path.join(dir, 'entries.jsonl');
const after = opt('after-cursor');
const follow = args.includes('--follow');

let pos = 0;
let started = false;
let partial = '';
function readNew() {
  let text = '';
  try {
    const buf = fs.readFileSync(file);
    text = buf.subarray(pos).toString('utf8');
    pos = buf.length;
  } catch {
    return;
  }
  const lines = (partial + text).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.trim()) continue;
    if (!started) continue;
    process.stdout.write(line + '\n');
  }
}

// The entries already there: skipped up to the cursor, or all of them for --lines=0.
{
  let existing = '';
  try {
    existing = fs.readFileSync(file, 'utf8');
  } catch {
    existing = '';
  }
  const complete = existing.slice(0, existing.lastIndexOf('\n') + 1);
  pos = Buffer.byteLength(complete);
  const lines = complete.split('\n').filter((l) => l.trim());
  let from = lines.length;
  if (after) {
    const i = lines.findIndex((l) => JSON.parse(l).__CURSOR === after);
    from = i >= 0 ? i + 1 : 0;
  } else if (!args.includes('--lines=0')) {
    from = 0;
  }
  for (const line of lines.slice(from)) process.stdout.write(line + '\n');
  started = true;
}
// Written once the entries already there are read: from now on appended ones are followed.
fs.appendFileSync(path.join(dir, 'invocations.log'), JSON.stringify(args) + '\n');
if (follow) setInterval(readNew, 50);
process.on('SIGTERM', () => process.exit(0));
