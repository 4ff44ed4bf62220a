import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LOCAL_AGENT_ID, type HistoryResponse, type ProcessHistoryResponse } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { Subject, catchError, map, of, startWith, switchMap } from 'rxjs';
import { HostApi } from '../host.api';
import { failureMessage } from '../host-files';
import { historyCharts } from './history-charts';
import type { ExportRange, HistoryQueryParams, HistoryRange } from './history-range';
import { historyQuery } from './history-range';

export type LoadState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'loaded'; data: T }
  | { status: 'error'; message: string };

// Runs each request of `requests` and reports its progress; a newer request cancels an older one
// still in flight, so a slow 30-day answer cannot replace the 1-hour one asked for after it.
function loadLatest<Q, T>(
  requests: Observable<Q>,
  load: (request: Q) => Observable<T>,
  describeError: (err: unknown) => string,
): Observable<LoadState<T>> {
  return requests.pipe(
    switchMap((request) =>
      load(request).pipe(
        map((data): LoadState<T> => ({ status: 'loaded', data })),
        catchError((err: unknown) =>
          of<LoadState<T>>({ status: 'error', message: describeError(err) }),
        ),
        startWith<LoadState<T>>({ status: 'loading' }),
      ),
    ),
  );
}

function processesError(err: unknown): string {
  return err instanceof HttpErrorResponse && err.status === 404
    ? 'No process samples were kept for that minute.'
    : failureMessage(err);
}

// One host's history: the chosen range, its charts, and the top processes of a chosen minute.
// Provided by the history tab.
@Injectable()
export class HostHistoryStore {
  private readonly api = inject(HostApi);

  private readonly queries = new Subject<HistoryQueryParams>();
  private readonly selections = new Subject<{ agentId: string; at: Date }>();
  private agentId = LOCAL_AGENT_ID;

  private readonly _range = signal<HistoryRange>({ kind: 'preset', preset: '1h' });
  private readonly _query = signal<HistoryQueryParams | null>(null);
  private readonly _history = signal<LoadState<HistoryResponse>>({ status: 'idle' });
  private readonly _selected = signal<Date | null>(null);
  private readonly _processes = signal<LoadState<ProcessHistoryResponse>>({ status: 'idle' });

  readonly range = computed(() => this._range());
  readonly loading = computed(() => this._history().status === 'loading');
  readonly error = computed(() => {
    const state = this._history();
    return state.status === 'error' ? state.message : null;
  });
  readonly response = computed(() => {
    const state = this._history();
    return state.status === 'loaded' ? state.data : null;
  });
  readonly empty = computed(() => this.response()?.data.length === 0);
  readonly charts = computed(() => historyCharts(this.response()?.data ?? []));
  /** The range asked for, as sent. */
  readonly queriedRange = computed(() => {
    const query = this._query();
    return query ? { from: query.from, to: query.to } : null;
  });
  // A ranged export names the resolution the charts were drawn in: left to choose, the hub would
  // pick the same tier, but the last hour is asked for in raw samples (see historyQuery).
  readonly exportRange = computed((): ExportRange | null => {
    const query = this._query();
    if (!query) return null;
    const resolution = this.response()?.resolution ?? query.resolution;
    return resolution
      ? { from: query.from, to: query.to, resolution }
      : { from: query.from, to: query.to };
  });
  readonly spanMs = computed(() => {
    const range = this.queriedRange();
    return range ? Date.parse(range.to) - Date.parse(range.from) : 0;
  });
  readonly selected = computed(() => this._selected());
  readonly processes = computed(() => this._processes());

  constructor() {
    const destroyRef = inject(DestroyRef);
    loadLatest(this.queries, (q) => this.api.history(q), failureMessage)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((state) => this._history.set(state));
    loadLatest(this.selections, (s) => this.api.processesAt(s.agentId, s.at), processesError)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((state) => this._processes.set(state));
  }

  load(agentId: string): void {
    this.agentId = agentId;
    this.fetch();
  }

  setRange(range: HistoryRange): void {
    this._range.set(range);
    this.fetch();
  }

  // Presets end "now", so asking again moves the window forward.
  refresh(): void {
    this.fetch();
  }

  selectTime(at: Date): void {
    this._selected.set(at);
    this.selections.next({ agentId: this.agentId, at });
  }

  clearSelection(): void {
    this._selected.set(null);
    this._processes.set({ status: 'idle' });
  }

  private fetch(): void {
    const query = historyQuery(this._range(), this.agentId, new Date());
    this._query.set(query);
    this.clearSelection();
    this.queries.next(query);
  }
}
