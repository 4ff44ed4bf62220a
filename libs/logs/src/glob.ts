import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const GLOB_CHARS = /[*?[]/;

export const isGlob = (pattern: string): boolean => GLOB_CHARS.test(pattern);

/** One path segment's pattern (`*`, `?`, `[abc]`) as a regular expression. */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The regular files an absolute pattern names now: `*`, `?` and `[…]` within a segment (as a
 * shell expands them, dot files only when the pattern says so). Unreadable directories are
 * skipped.
 */
export function expandGlob(pattern: string): string[] {
  const abs = path.resolve(pattern);
  if (!isGlob(abs)) return [abs];
  const segments = abs.split('/').filter(Boolean);
  let dirs = ['/'];
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s];
    const last = s === segments.length - 1;
    const next: string[] = [];
    for (const dir of dirs) {
      if (!isGlob(seg)) {
        next.push(path.join(dir, seg));
        continue;
      }
      const re = segmentRegExp(seg);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(name)) next.push(path.join(dir, name));
      }
    }
    dirs = last ? next : next.filter(isDirectory);
  }
  return dirs.filter(isFile).sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
