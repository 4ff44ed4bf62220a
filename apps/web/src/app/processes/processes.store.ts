import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ProcessDetail, ProcessInfo, SignalName } from '@tyto/contracts';
import { firstValueFrom, timer, switchMap, catchError, of, type Subscription } from 'rxjs';
import { errorMessage } from '../core/http';
import { ProcessesApi } from './processes.api';

export type SortColumn = 'pid' | 'name' | 'user' | 'state' | 'cpu' | 'memory' | 'threads';
export interface SortState {
  column: SortColumn;
  direction: 'asc' | 'desc';
}

const REFRESH_MS = 3000;

/** Rows matching a search, case-insensitive, on pid, name, user and command line. */
export function filterProcesses(rows: readonly ProcessInfo[], search: string): ProcessInfo[] {
  const q = search.trim().toLowerCase();
  if (!q) return [...rows];
  return rows.filter(
    (p) =>
      String(p.pid) === q ||
      p.name.toLowerCase().includes(q) ||
      p.user.toLowerCase().includes(q) ||
      p.cmdline.toLowerCase().includes(q),
  );
}

export function sortProcesses(rows: ProcessInfo[], sort: SortState): ProcessInfo[] {
  const dir = sort.direction === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sort.column];
    const y = b[sort.column];
    const c = typeof x === 'number' ? x - (y as number) : String(x).localeCompare(String(y));
    return c * dir || a.pid - b.pid;
  });
}

// The processes page: the host's table, refreshed every few seconds, and the open drawer.
@Injectable()
export class ProcessesStore {
  private readonly api = inject(ProcessesApi);
  private readonly destroyRef = inject(DestroyRef);

  private readonly _agentId = signal('local');
  private readonly _rows = signal<readonly ProcessInfo[]>([]);
  private readonly _search = signal('');
  private readonly _sort = signal<SortState>({ column: 'cpu', direction: 'desc' });
  private readonly _error = signal<string | null>(null);
  private readonly _selected = signal<ProcessDetail | null>(null);
  private readonly _detailError = signal<string | null>(null);
  private readonly _busy = signal(false);
  private polling: Subscription | null = null;

  readonly agentId = computed(() => this._agentId());
  readonly search = computed(() => this._search());
  readonly sort = computed(() => this._sort());
  readonly error = computed(() => this._error());
  readonly selected = computed(() => this._selected());
  readonly detailError = computed(() => this._detailError());
  readonly busy = computed(() => this._busy());
  readonly total = computed(() => this._rows().length);
  readonly rows = computed(() =>
    sortProcesses(filterProcesses(this._rows(), this._search()), this._sort()),
  );

  /** Shows (and keeps refreshing) the processes of `agentId`, instead of any host before. */
  start(agentId: string): void {
    this.polling?.unsubscribe();
    this._agentId.set(agentId);
    this._rows.set([]);
    this._error.set(null);
    this.close();
    this.polling = timer(0, REFRESH_MS)
      .pipe(
        switchMap(() =>
          this.api.list(agentId).pipe(
            catchError((err: unknown) => {
              this._error.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe((res) => {
        if (!res) return;
        this._error.set(null);
        this._rows.set(res.processes);
      });
  }

  setSearch(search: string): void {
    this._search.set(search);
  }

  setSort(sort: SortState): void {
    this._sort.set(sort);
  }

  async open(pid: number): Promise<void> {
    this._detailError.set(null);
    try {
      this._selected.set(await firstValueFrom(this.api.detail(this._agentId(), pid)));
    } catch (err) {
      this._selected.set(null);
      this._detailError.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
    }
  }

  close(): void {
    this._selected.set(null);
    this._detailError.set(null);
  }

  // Sends the signal to the process the drawer shows, guarded by its start time.
  async signal(signal: SignalName): Promise<boolean> {
    const p = this._selected();
    if (!p) return false;
    this._busy.set(true);
    this._detailError.set(null);
    try {
      await firstValueFrom(this.api.signal(this._agentId(), p.pid, signal, p.startTime));
      await this.refreshSelected(p.pid);
      return true;
    } catch (err) {
      this._detailError.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
      return false;
    } finally {
      this._busy.set(false);
    }
  }

  private async refreshSelected(pid: number): Promise<void> {
    try {
      // The state changes a moment after the signal (a stop takes effect asynchronously).
      await new Promise((r) => setTimeout(r, 200));
      this._selected.set(await firstValueFrom(this.api.detail(this._agentId(), pid)));
    } catch {
      this._detailError.set('The process has exited.');
    }
  }
}
