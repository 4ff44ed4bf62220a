import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AuditEntry } from '@tyto/contracts';
import { AuditStore, NO_FILTERS, auditRequest } from './audit.store';

function entry(id: number): AuditEntry {
  return {
    id,
    timestamp: '2026-01-15T10:00:00Z',
    actor_id: 'u1',
    actor_username: 'admin',
    action: 'role.create',
    target: 'alert-manager',
    ip: '127.0.0.1',
    outcome: 'success',
    status: 201,
    details: {},
  };
}

describe('auditRequest', () => {
  it('sends only the filters that are set, trimmed', () => {
    expect(auditRequest({ ...NO_FILTERS, actor: ' alice ', outcome: 'failure' }, 0, 50)).toEqual({
      actor: 'alice',
      action: undefined,
      outcome: 'failure',
      from: undefined,
      to: undefined,
      limit: 50,
      offset: 0,
    });
  });

  it('turns the date range into whole local days', () => {
    const request = auditRequest({ ...NO_FILTERS, from: '2026-01-15', to: '2026-01-16' }, 2, 25);
    expect(request.from).toBe(new Date(2026, 0, 15).toISOString());
    expect(request.to).toBe(new Date(2026, 0, 16, 23, 59, 59, 999).toISOString());
    expect(request.offset).toBe(50);
  });
});

describe(AuditStore.name, () => {
  let store: AuditStore;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [AuditStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(AuditStore);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  function expectQuery(params: Record<string, string>) {
    const req = backend.expectOne((r) => r.url === '/api/v1/audit');
    const sent = Object.fromEntries(
      req.request.params.keys().map((k) => [k, req.request.params.get(k)]),
    );
    expect(sent).toEqual(params);
    return req;
  }

  it('loads the first page and the total', () => {
    store.load();
    expect(store.loading()).toBe(true);
    expectQuery({ limit: '50', offset: '0' }).flush({ entries: [entry(2), entry(1)], total: 120 });

    expect(store.loading()).toBe(false);
    expect(store.entries().map((e) => e.id)).toEqual([2, 1]);
    expect(store.total()).toBe(120);
  });

  it('filters from the first page and keeps the filters while paging', () => {
    store.showPage(3, 50);
    expectQuery({ limit: '50', offset: '150' }).flush({ entries: [], total: 0 });

    store.search({ ...NO_FILTERS, action: 'user.*', outcome: 'failure' });
    expectQuery({ action: 'user.*', outcome: 'failure', limit: '50', offset: '0' }).flush({
      entries: [],
      total: 0,
    });

    store.showPage(1, 25);
    expectQuery({ action: 'user.*', outcome: 'failure', limit: '25', offset: '25' }).flush({
      entries: [],
      total: 0,
    });
  });

  it('shows only the answer to the latest request', () => {
    store.showPage(0, 50);
    store.showPage(1, 50);
    const [stale, latest] = backend.match((r) => r.url === '/api/v1/audit');
    expect(stale.cancelled).toBe(true);
    latest.flush({ entries: [entry(7)], total: 51 });
    expect(store.entries().map((e) => e.id)).toEqual([7]);
  });

  it('refuses a start date after the end date without asking the hub', () => {
    store.search({ ...NO_FILTERS, from: '2026-02-01', to: '2026-01-01' });
    backend.expectNone((r) => r.url === '/api/v1/audit');
    expect(store.error()).toBe('The start date is after the end date.');
  });

  it('reports filters the hub refuses next to them', () => {
    store.search({ ...NO_FILTERS, actor: 'x'.repeat(200) });
    backend
      .expectOne((r) => r.url === '/api/v1/audit')
      .flush(
        {
          error: 'Request validation failed',
          code: 'VALIDATION_FAILED',
          details: { issues: [{ path: 'actor', message: 'Too big' }] },
        },
        { status: 400, statusText: 'Bad Request' },
      );
    expect(store.error()).toBe('Some fields are not valid. actor: Too big');
    expect(store.loading()).toBe(false);
  });
});
