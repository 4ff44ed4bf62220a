import type { Signal } from '@angular/core';
import { DestroyRef, ElementRef, afterNextRender, inject, signal } from '@angular/core';

/**
 * The width in px of the component's host element, kept current while it lives (for charts that
 * fit their labels to the room they have). `fallback` until it is measured, and where the
 * browser has no ResizeObserver (tests in jsdom).
 */
export function hostWidth(fallback = 600): Signal<number> {
  const host = inject<ElementRef<HTMLElement>>(ElementRef);
  const width = signal(fallback);
  const destroyRef = inject(DestroyRef);
  afterNextRender(() => {
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) width.set(measured);
    });
    observer.observe(host.nativeElement);
    destroyRef.onDestroy(() => observer.disconnect());
  });
  return width.asReadonly();
}
