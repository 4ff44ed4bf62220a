import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import type { LogHistogramResponse } from '@tyto/contracts';
import type { TimeStyle } from '../shared/format/time-format';
import { TimeFormat } from '../shared/format/time-format';
import { timeTicks } from '../shared/ui/chart-axis';

const DAY_MS = 86_400_000;

interface Bar {
  start: number;
  end: number;
  count: number;
  /** Height, % of the tallest bar. */
  height: number;
  /** Left edge, % of the plot. */
  left: number;
}

/** The range a clicked bar covers. */
export interface HistogramRange {
  from: Date;
  to: Date;
}

// The time style for a histogram: seconds for bars under a minute, the date once it spans days.
export function histogramTimeStyle(intervalMs: number, spanMs: number): TimeStyle {
  if (intervalMs < 60_000) return 'time';
  return spanMs > DAY_MS ? 'short' : 'minute';
}

// Matches over time above the log table: one bar per bucket (a button: clicking it narrows the
// range to it), a time axis with a handful of round ticks, a tooltip with the count and the
// bucket's time in the app's time format.
@Component({
  selector: 'tyto-logs-histogram',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="histogram" data-testid="logs-histogram">
      <figcaption class="caption">
        <span>Matches over time</span>
        @if (histogram(); as h) {
          <span class="scale" data-testid="logs-histogram-max">max {{ max() }} per bar</span>
        }
      </figcaption>
      <div class="plot" (mouseleave)="hovered.set(null)">
        @for (bar of bars(); track bar.start) {
          <button
            type="button"
            class="column"
            [attr.aria-label]="tip(bar)"
            (click)="pick(bar)"
            (mouseenter)="hovered.set(bar)"
            (focus)="hovered.set(bar)"
            (blur)="hovered.set(null)"
            data-testid="logs-histogram-bar"
          >
            <span class="bar" [class.empty]="bar.count === 0" [style.height.%]="bar.height"></span>
          </button>
        }
        @if (hovered(); as bar) {
          <div
            class="tip"
            role="tooltip"
            [class.right]="bar.left > 60"
            [style.left.%]="bar.left > 60 ? null : bar.left"
            [style.right.%]="bar.left > 60 ? 100 - bar.left : null"
            data-testid="logs-histogram-tip"
          >
            {{ tip(bar) }}
          </div>
        }
      </div>
      <div class="axis" aria-hidden="true">
        @for (tick of ticks(); track tick.at) {
          <span
            class="tick"
            [class.start]="tick.left < 8"
            [class.end]="tick.left > 92"
            [style.left.%]="tick.left"
            data-testid="logs-histogram-tick"
            >{{ tick.label }}</span
          >
        }
      </div>
    </figure>
  `,
  styles: `
    :host {
      display: block;
    }
    .histogram {
      margin: 0 0 8px;
    }
    .caption {
      display: flex;
      justify-content: space-between;
      font-size: 12px;
      color: var(--tyto-muted);
      margin-bottom: 2px;
    }
    .plot {
      position: relative;
      display: flex;
      align-items: stretch;
      gap: 1px;
      height: 72px;
      border-bottom: 1px solid var(--tyto-track);
    }
    .column {
      flex: 1 1 0;
      min-width: 1px;
      display: flex;
      align-items: flex-end;
      padding: 0;
      margin: 0;
      border: 0;
      background: transparent;
      cursor: pointer;
    }
    .column:hover,
    .column:focus-visible {
      background: var(--tyto-track);
      outline: none;
    }
    .bar {
      display: block;
      width: 100%;
      min-height: 1px;
      background: var(--tyto-series-1);
      border-radius: 1px 1px 0 0;
    }
    .bar.empty {
      background: transparent;
    }
    .tip {
      position: absolute;
      top: 0;
      z-index: 2;
      padding: 4px 8px;
      border-radius: 4px;
      font-size: 12px;
      white-space: nowrap;
      pointer-events: none;
      background: var(--mat-sys-inverse-surface, #333);
      color: var(--mat-sys-inverse-on-surface, #fff);
    }
    .axis {
      position: relative;
      height: 18px;
      font-size: 11px;
      color: var(--tyto-muted);
    }
    .tick {
      position: absolute;
      top: 2px;
      transform: translateX(-50%);
      white-space: nowrap;
    }
    /* Labels at the edges stay inside the plot. */
    .tick.start {
      transform: none;
    }
    .tick.end {
      transform: translateX(-100%);
    }
    /* A phone has room for every other tick. */
    @media (max-width: 600px) {
      .tick:nth-child(even) {
        display: none;
      }
    }
  `,
})
export class LogsHistogramComponent {
  private readonly timeFormat = inject(TimeFormat);

  readonly histogram = input.required<LogHistogramResponse | null>();
  /** A bar was clicked: narrow the search to its range. */
  readonly narrow = output<HistogramRange>();

  protected readonly hovered = signal<Bar | null>(null);

  private readonly span = computed(() => {
    const h = this.histogram();
    if (!h) return null;
    const from = Date.parse(h.from);
    const to = Date.parse(h.to);
    return { from, to, interval: h.interval_ms };
  });

  protected readonly max = computed(() =>
    Math.max(0, ...(this.histogram()?.buckets.map((b) => b.count) ?? [])),
  );

  protected readonly bars = computed((): Bar[] => {
    const h = this.histogram();
    const span = this.span();
    if (!h || !span) return [];
    const max = Math.max(1, this.max());
    const width = span.to - span.from || 1;
    return h.buckets.map((b) => {
      const start = Date.parse(b.timestamp);
      return {
        start,
        end: start + span.interval,
        count: b.count,
        height: (b.count / max) * 100,
        left: ((start - span.from) / width) * 100,
      };
    });
  });

  private readonly style = computed(() => {
    const span = this.span();
    return span ? histogramTimeStyle(span.interval, span.to - span.from) : 'minute';
  });

  protected readonly ticks = computed(() => {
    const span = this.span();
    if (!span) return [];
    // Read the preference so a switch of 24 h / time zone redraws the labels.
    this.timeFormat.prefs();
    const style = this.style();
    const width = span.to - span.from || 1;
    // The plot's right edge is the last bar's end: no label there, it belongs to no bar.
    return timeTicks(span.from, span.to, 5)
      .filter((t) => t.getTime() < span.to)
      .map((t) => ({
        at: t.getTime(),
        left: ((t.getTime() - span.from) / width) * 100,
        label: this.timeFormat.format(t, style),
      }));
  });

  protected tip(bar: Bar): string {
    const style = this.style();
    const lines = bar.count === 1 ? '1 line' : `${bar.count.toLocaleString()} lines`;
    return `${lines} · ${this.timeFormat.format(bar.start, style)} – ${this.timeFormat.format(bar.end, style)}`;
  }

  protected pick(bar: Bar): void {
    this.narrow.emit({ from: new Date(bar.start), to: new Date(bar.end - 1) });
  }
}
