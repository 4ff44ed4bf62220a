const MINUTE_MS = 60_000;
/** Minutes kept formatted: a day at 1m is 1,441, a month at 1h 721; ~64 bytes each. */
const MAX_MINUTES = 16_384;
/** Minute (epoch ms / 60,000) → its ISO string at :00.000, as toISOString returns it. */
const minutes = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function minuteIso(minute: number): string {
  let s = minutes.get(minute);
  if (s === undefined) {
    if (minutes.size >= MAX_MINUTES) minutes.clear();
    s = new Date(minute * MINUTE_MS).toISOString();
    minutes.set(minute, s);
  }
  return s;
}

/**
 * `new Date(ms).toISOString()` without its cost: a long chart formats over a thousand timestamps.
 * Each minute is formatted once and kept (rollup buckets start on a minute, so their timestamps
 * are these strings themselves and a chart allocates none); a raw sample's adds its seconds and
 * milliseconds to the minute's first 17 characters. Anything else (fractions, NaN, years beyond
 * 9999 or before 0, which toISOString writes with six digits) goes to toISOString itself.
 */
export function isoUtc(ms: number): string {
  const minute = Math.floor(ms / MINUTE_MS);
  const rest = ms - minute * MINUTE_MS;
  if (rest === 0) {
    const s = minuteIso(minute);
    if (s.length === 24) return s;
  } else if (Number.isInteger(rest)) {
    const s = minuteIso(minute);
    if (s.length === 24) {
      const millis = rest % 1000;
      return (
        s.slice(0, 17) +
        pad2((rest - millis) / 1000) +
        (millis < 10 ? '.00' : millis < 100 ? '.0' : '.') +
        millis +
        'Z'
      );
    }
  }
  return new Date(ms).toISOString();
}
