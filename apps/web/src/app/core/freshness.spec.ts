import { signal } from '@angular/core';
import { DEFAULT_INTERVAL_MS, Freshness } from './freshness';

describe(Freshness.name, () => {
  function tracker(): { now: ReturnType<typeof signal<number>>; freshness: Freshness } {
    const now = signal(1_000_000);
    return { now, freshness: new Freshness(now) };
  }

  it('has no age before the first sample and is not stale', () => {
    const { freshness } = tracker();
    expect(freshness.ageMs()).toBeNull();
    expect(freshness.stale()).toBe(false);
  });

  it('learns the interval from the samples and turns stale after two of them are missed', () => {
    const { now, freshness } = tracker();
    freshness.record('2026-12-01T10:00:00.000Z', now());
    now.update((t) => t + 2000);
    freshness.record('2026-12-01T10:00:02.000Z', now());
    expect(freshness.intervalMs()).toBe(2000);
    now.update((t) => t + 5000);
    expect(freshness.ageMs()).toBe(5000);
    expect(freshness.stale()).toBe(false);
    now.update((t) => t + 1);
    expect(freshness.stale()).toBe(true);
    // Data flows again: fresh at once.
    freshness.record('2026-12-01T10:00:09.000Z', now());
    expect(freshness.stale()).toBe(false);
  });

  it('assumes the default interval until it has seen two samples', () => {
    const { now, freshness } = tracker();
    freshness.record('2026-12-01T10:00:00.000Z', now());
    now.update((t) => t + 2 * DEFAULT_INTERVAL_MS + 1000);
    expect(freshness.stale()).toBe(false);
    now.update((t) => t + 1);
    expect(freshness.stale()).toBe(true);
  });

  it('forgets everything on reset (another host)', () => {
    const { now, freshness } = tracker();
    freshness.record('2026-12-01T10:00:00.000Z', now());
    freshness.reset();
    expect(freshness.ageMs()).toBeNull();
  });
});
