import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { LogEntry, LogEntryLevel, LogHistogramResponse, LogSource } from '@tyto/contracts';
import { Subject, catchError, of, switchMap } from 'rxjs';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import { toFormError } from '../core/form-error';
import type { LogsRequest } from './logs.api';
import { LogsApi } from './logs.api';

// The filter bar as the user filled it in; `from`/`to` are instants (ISO 8601, '' for open).
export interface LogFilters {
  agentId: string;
  source: LogSource | '';
  sourceName: string;
  levels: LogEntryLevel[];
  q: string;
  from: string;
  to: string;
}

export const NO_LOG_FILTERS: LogFilters = {
  agentId: '',
  source: '',
  sourceName: '',
  levels: [],
  q: '',
  from: '',
  to: '',
};
export const PAGE_SIZE = 100;
// Bars the histogram asks for (the hub rounds the width, so a few more or less): as many as keep
// each bar, a click target, at least 24 px wide (WCAG 2.5.8) beside the side nav, 8 to 60.
export const HISTOGRAM_BARS = 60;
export function histogramBars(viewportWidth = globalThis.innerWidth ?? 1440): number {
  return Math.max(8, Math.min(HISTOGRAM_BARS, Math.floor((viewportWidth - 280) / 28)));
}
// The live view keeps this many lines; older ones scroll out.
const MAX_LIVE_LINES = 2000;

export function logsRequest(f: LogFilters, offset: number, limit = PAGE_SIZE): LogsRequest {
  const text = (v: string) => v.trim() || undefined;
  return {
    agent_id: text(f.agentId),
    source: f.source || undefined,
    source_name: text(f.sourceName),
    level: f.levels.length ? f.levels : undefined,
    q: text(f.q),
    from: f.from || undefined,
    to: f.to || undefined,
    limit,
    offset,
  };
}

function filterError(err: unknown): string | null {
  const error = toFormError(err);
  if (!error) return null;
  const fields = Object.entries(error.fields).map(([field, message]) => `${field}: ${message}`);
  return fields.length ? fields.join(' ') : error.message;
}

type Page = { entries: readonly LogEntry[]; total: number; estimated: boolean; append: boolean };

// The log explorer: filters, the lines shown (newest first), paging by scrolling, and the live
// tail, which pauses (buffering what arrives) while the user has scrolled away from the top.
@Injectable()
export class LogsStore {
  private readonly api = inject(LogsApi);
  private readonly createEventSource = inject(EVENT_SOURCE_FACTORY);

  private readonly _filters = signal<LogFilters>(NO_LOG_FILTERS);
  private readonly _entries = signal<readonly LogEntry[]>([]);
  private readonly _total = signal(0);
  private readonly _estimated = signal(false);
  private readonly _loading = signal(false);
  private readonly _error = signal<string | null>(null);
  private readonly _live = signal(false);
  private readonly _paused = signal(false);
  private readonly _waiting = signal<readonly LogEntry[]>([]);
  private readonly _dropped = signal(0);
  private readonly _histogram = signal<LogHistogramResponse | null>(null);
  private readonly requests = new Subject<{ request: LogsRequest; append: boolean }>();
  private readonly histogramRequests = new Subject<LogsRequest>();
  private source: EventSource | null = null;

  readonly filters = computed(() => this._filters());
  readonly entries = computed(() => this._entries());
  readonly total = computed(() => this._total());
  readonly estimated = computed(() => this._estimated());
  readonly loading = computed(() => this._loading());
  readonly error = computed(() => this._error());
  readonly live = computed(() => this._live());
  readonly paused = computed(() => this._paused());
  readonly waitingCount = computed(() => this._waiting().length);
  readonly dropped = computed(() => this._dropped());
  readonly histogram = computed(() => this._histogram());
  readonly hasMore = computed(() => !this._live() && this._entries().length < this._total());

  constructor() {
    this.requests
      .pipe(
        switchMap(({ request, append }) =>
          this.api.list(request).pipe(
            catchError((err: unknown) => {
              this._error.set(filterError(err));
              return of(null);
            }),
            // Tagged with how it is to be shown.
            switchMap((page) =>
              of(
                page
                  ? ({
                      entries: page.entries,
                      total: page.total,
                      estimated: page.total_estimated,
                      append,
                    } satisfies Page)
                  : null,
              ),
            ),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((page) => {
        this._loading.set(false);
        if (!page) return;
        this._entries.set(page.append ? [...this._entries(), ...page.entries] : page.entries);
        this._total.set(page.total);
        this._estimated.set(page.estimated);
      });
    this.histogramRequests
      .pipe(
        switchMap((request) =>
          this.api.histogram(request, histogramBars()).pipe(catchError(() => of(null))),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((histogram) => this._histogram.set(histogram));
    inject(DestroyRef).onDestroy(() => this.closeTail());
  }

  search(filters: LogFilters): void {
    if (filters.from && filters.to && Date.parse(filters.from) > Date.parse(filters.to)) {
      this._error.set('The start time is after the end time.');
      return;
    }
    this._filters.set(filters);
    this.load();
    if (this._live()) this.openTail();
  }

  load(): void {
    this._loading.set(true);
    this._error.set(null);
    this.requests.next({ request: logsRequest(this._filters(), 0), append: false });
    this.histogramRequests.next(logsRequest(this._filters(), 0));
  }

  // Infinite scroll: the next page after the lines shown.
  loadMore(): void {
    if (this._loading() || !this.hasMore()) return;
    this._loading.set(true);
    this.requests.next({
      request: logsRequest(this._filters(), this._entries().length),
      append: true,
    });
  }

  setLive(on: boolean): void {
    this._live.set(on);
    this._paused.set(false);
    this._waiting.set([]);
    this._dropped.set(0);
    if (on) this.openTail();
    else this.closeTail();
  }

  // The user scrolled away from the newest line (paused) or back to it (resumed).
  setPaused(paused: boolean): void {
    if (paused === this._paused()) return;
    this._paused.set(paused);
    if (!paused && this._waiting().length) {
      this.prepend(this._waiting());
      this._waiting.set([]);
    }
  }

  private openTail(): void {
    this.closeTail();
    const source = this.createEventSource(this.api.streamUrl(logsRequest(this._filters(), 0)));
    this.source = source;
    source.addEventListener('log', (event: MessageEvent<string>) => {
      let entry: LogEntry;
      try {
        entry = JSON.parse(event.data) as LogEntry;
      } catch {
        return;
      }
      if (this._paused()) this._waiting.set([entry, ...this._waiting()].slice(0, MAX_LIVE_LINES));
      else this.prepend([entry]);
    });
    source.addEventListener('dropped', (event: MessageEvent<string>) => {
      const n = Number((JSON.parse(event.data) as { dropped: number }).dropped);
      this._dropped.set(this._dropped() + (Number.isFinite(n) ? n : 0));
    });
    source.addEventListener('end', () => {
      this.closeTail();
      this._live.set(false);
      this._error.set('The live tail ended: your session or permission changed.');
    });
  }

  private prepend(entries: readonly LogEntry[]): void {
    this._entries.set([...entries, ...this._entries()].slice(0, MAX_LIVE_LINES));
    this._total.set(this._total() + entries.length);
  }

  private closeTail(): void {
    this.source?.close();
    this.source = null;
  }
}
