import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { AuditEntry, AuditOutcome } from '@tyto/contracts';
import { Subject, catchError, of, switchMap } from 'rxjs';
import { toFormError } from '../core/form-error';
import type { AuditRequest } from './audit.api';
import { AuditApi } from './audit.api';

// The filter bar as the user filled it in; dates are the browser's `yyyy-mm-dd` in local time.
export interface AuditFilters {
  actor: string;
  action: string;
  outcome: AuditOutcome | '';
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', outcome: '', from: '', to: '' };
export const DEFAULT_PAGE_SIZE = 50;

// The hub's query for one page: whole local days, so "to 2026-01-15" includes that evening.
export function auditRequest(
  filters: AuditFilters,
  pageIndex: number,
  pageSize: number,
): AuditRequest {
  const text = (value: string) => value.trim() || undefined;
  return {
    actor: text(filters.actor),
    action: text(filters.action),
    outcome: filters.outcome || undefined,
    from: filters.from ? localDay(filters.from, 0, 0, 0, 0).toISOString() : undefined,
    to: filters.to ? localDay(filters.to, 23, 59, 59, 999).toISOString() : undefined,
    limit: pageSize,
    offset: pageIndex * pageSize,
  };
}

function localDay(date: string, h: number, m: number, s: number, ms: number): Date {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year, month - 1, day, h, m, s, ms);
}

// Null for failures the error interceptor has already shown.
function filterError(err: unknown): string | null {
  const error = toFormError(err);
  if (!error) return null;
  const fields = Object.entries(error.fields).map(([field, message]) => `${field}: ${message}`);
  return [error.message, ...fields].join(' ');
}

// The audit page: filters, the page of entries shown and how many match in all.
@Injectable()
export class AuditStore {
  private readonly api = inject(AuditApi);

  private readonly _filters = signal<AuditFilters>(NO_FILTERS);
  private readonly _pageIndex = signal(0);
  private readonly _pageSize = signal(DEFAULT_PAGE_SIZE);
  private readonly _entries = signal<readonly AuditEntry[]>([]);
  private readonly _total = signal(0);
  private readonly _loading = signal(false);
  private readonly _error = signal<string | null>(null);
  private readonly requests = new Subject<AuditRequest>();

  readonly filters = computed(() => this._filters());
  readonly pageIndex = computed(() => this._pageIndex());
  readonly pageSize = computed(() => this._pageSize());
  readonly entries = computed(() => this._entries());
  readonly total = computed(() => this._total());
  readonly loading = computed(() => this._loading());
  readonly error = computed(() => this._error());

  constructor() {
    // switchMap: paging quickly or changing filters mid-request shows only the latest answer.
    this.requests
      .pipe(
        switchMap((request) =>
          this.api.list(request).pipe(
            catchError((err: unknown) => {
              this._error.set(filterError(err));
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((page) => {
        this._loading.set(false);
        if (!page) return;
        this._entries.set(page.entries);
        this._total.set(page.total);
      });
  }

  search(filters: AuditFilters): void {
    if (filters.from && filters.to && filters.from > filters.to) {
      this._error.set('The start date is after the end date.');
      return;
    }
    this._filters.set(filters);
    this._pageIndex.set(0);
    this.load();
  }

  showPage(pageIndex: number, pageSize: number): void {
    this._pageIndex.set(pageIndex);
    this._pageSize.set(pageSize);
    this.load();
  }

  load(): void {
    this._loading.set(true);
    this._error.set(null);
    this.requests.next(auditRequest(this._filters(), this._pageIndex(), this._pageSize()));
  }
}
