import type { Signal } from '@angular/core';
import { computed, signal } from '@angular/core';

// Until two samples show the real interval, assume the hub's default.
export const DEFAULT_INTERVAL_MS = 5000;
// Slack on top of two intervals: a sample may be a little late without the page crying wolf.
const GRACE_MS = 1000;

// How fresh one host's numbers are: the browser's time of the newest sample against its
// sampling interval (taken from the samples' own timestamps). Stale after two missed intervals.
export class Freshness {
  private readonly _receivedAt = signal<number | null>(null);
  private readonly _intervalMs = signal(DEFAULT_INTERVAL_MS);
  private lastTimestamp: number | null = null;

  constructor(private readonly now: Signal<number>) {}

  readonly intervalMs = this._intervalMs.asReadonly();
  // Milliseconds since the newest sample arrived; null before the first one.
  readonly ageMs = computed(() => {
    const at = this._receivedAt();
    return at === null ? null : Math.max(0, this.now() - at);
  });
  readonly stale = computed(() => {
    const age = this.ageMs();
    return age !== null && age > 2 * this._intervalMs() + GRACE_MS;
  });

  // Browser receive time, not the sample's timestamp: the host's clock may be off.
  record(sampleTimestamp: string, receivedAt: number): void {
    const t = Date.parse(sampleTimestamp);
    if (this.lastTimestamp !== null && Number.isFinite(t) && t > this.lastTimestamp) {
      this._intervalMs.set(t - this.lastTimestamp);
    }
    if (Number.isFinite(t)) this.lastTimestamp = t;
    this._receivedAt.set(receivedAt);
  }

  reset(): void {
    this._receivedAt.set(null);
    this._intervalMs.set(DEFAULT_INTERVAL_MS);
    this.lastTimestamp = null;
  }
}
