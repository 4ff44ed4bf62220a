import { Injectable } from '@angular/core';
import type { PreloadingStrategy, Route } from '@angular/router';
import type { Observable } from 'rxjs';
import { of } from 'rxjs';

/** Route data that asks for the route's chunks to be fetched before anyone navigates there. */
export const PRELOAD = { preload: true } as const;

// Fetches the chunks of the pages people land on after signing in (the fleet overview, the
// dashboard, a host) while the login page is open, so the first data after "Sign in" waits for
// the hub only, not for JavaScript. Every other page still loads when first visited.
// The animation engine, which provideAnimationsAsync() fetches the first time a component with
// animations (the charts) renders, is fetched with them: measured, it was a 63 kB request after
// sign-in on the dashboard's critical path (docs/benchmarks.md).
@Injectable({ providedIn: 'root' })
export class PreloadStartPages implements PreloadingStrategy {
  private engineRequested = false;

  preload(route: Route, load: () => Observable<unknown>): Observable<unknown> {
    if (route.data?.['preload'] !== true) return of(null);
    if (!this.engineRequested) {
      this.engineRequested = true;
      // The same module the async animations provider imports, so it is the same chunk; a
      // failure here only means it is fetched later, when needed.
      import('@angular/animations/browser').catch(() => undefined);
    }
    return load();
  }
}
