import { HISTORY_RESOLUTIONS, type HistoryResolution } from '@tyto/contracts';

export type RollupTier = Exclude<HistoryResolution, 'raw'>;

export interface RollupSpec {
  tier: RollupTier;
  source: HistoryResolution;
  stepMs: number;
  /** Most source time one transaction rolls up, so a long catch-up stays in small steps. */
  chunkMs: number;
  /** The tier built from this one, whose progress must be reset when this one changes. */
  next: RollupTier | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** raw → 1m → 5m → 1h, in the order a rollup pass runs them. */
export const ROLLUPS: readonly RollupSpec[] = [
  { tier: '1m', source: 'raw', stepMs: MINUTE, chunkMs: HOUR, next: '5m' },
  { tier: '5m', source: '1m', stepMs: 5 * MINUTE, chunkMs: 24 * HOUR, next: '1h' },
  { tier: '1h', source: '5m', stepMs: HOUR, chunkMs: 7 * 24 * HOUR, next: null },
];

export const TIER_STEP_MS: Record<RollupTier, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '1h': HOUR,
};

/** A query without `resolution` gets the finest tier that answers in at most this many points. */
export const AUTO_MAX_POINTS = 1000;

/**
 * Slack on the retention check, so "the last 24 h of raw data" asked a moment ago (client clock,
 * latency) is not refused; rows that old are still there until the next retention pass.
 */
export const RETENTION_SLACK_MS = 5 * MINUTE;

/** The earliest time a tier still answers for, epoch ms. */
export const earliestKept = (
  resolution: HistoryResolution,
  retention: Record<HistoryResolution, number>,
  now: number,
) => now - retention[resolution] * 1000 - RETENTION_SLACK_MS;

/**
 * The finest resolution whose retention reaches back to `from` and that covers the range in at
 * most AUTO_MAX_POINTS points (raw counts one point per sampling interval); the coarsest one that
 * reaches back when none is that sparse; null when no tier keeps data that old.
 */
export function chooseResolution(
  from: number,
  to: number,
  now: number,
  retention: Record<HistoryResolution, number>,
  rawStepSeconds: number,
): HistoryResolution | null {
  const reaching = HISTORY_RESOLUTIONS.filter((r) => from >= earliestKept(r, retention, now));
  if (reaching.length === 0) return null;
  const step = (r: HistoryResolution) => (r === 'raw' ? rawStepSeconds * 1000 : TIER_STEP_MS[r]);
  return reaching.find((r) => (to - from) / step(r) <= AUTO_MAX_POINTS) ?? reaching.at(-1) ?? null;
}
