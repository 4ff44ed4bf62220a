import { DestroyRef, Injectable, InjectionToken, inject, signal } from '@angular/core';

// How often "42 s ago" and the stale check move on.
export const CLOCK_TICK_MS = 1000;

// A seam for unit tests, which step time by hand.
export const NOW = new InjectionToken<() => number>('NOW', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});

// The browser's current time as a signal, ticking every second while anything is injected with
// it, so ages and stale states recompute without a sample arriving.
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly read = inject(NOW);
  private readonly _now = signal(this.read());
  readonly now = this._now.asReadonly();

  constructor() {
    const timer = setInterval(() => this._now.set(this.read()), CLOCK_TICK_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }
}
