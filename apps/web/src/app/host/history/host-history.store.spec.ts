import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HistoryResponse, ProcessHistoryResponse } from '@tyto/contracts';
import { HostHistoryStore } from './host-history.store';

const NOW = new Date('2026-01-15T12:00:00.000Z');

function historyResponse(data: HistoryResponse['data']): HistoryResponse {
  return {
    from: '2026-01-15T11:00:00.000Z',
    to: '2026-01-15T12:00:00.000Z',
    resolution: 'raw',
    agent_id: 'local',
    data,
  };
}

function cpuPoint(timestamp: string, avg: number): HistoryResponse['data'][number] {
  return { timestamp, cpu: { avg, min: avg - 5, max: avg + 5 } };
}

describe(HostHistoryStore.name, () => {
  let store: HostHistoryStore;
  let backend: HttpTestingController;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    TestBed.configureTestingModule({
      providers: [HostHistoryStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(HostHistoryStore);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    jest.useRealTimers();
  });

  function expectHistory(params: Record<string, string>) {
    return backend.expectOne(
      (req) =>
        req.url === '/api/v1/history' &&
        Object.entries(params).every(([key, value]) => req.params.get(key) === value),
    );
  }

  describe('load', () => {
    it('asks for the last hour and is loading until the answer', () => {
      store.load('local');
      expect(store.loading()).toBe(true);

      expectHistory({
        from: '2026-01-15T11:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
        resolution: 'raw',
        agent_id: 'local',
      }).flush(historyResponse([cpuPoint('2026-01-15T11:59:00.000Z', 20)]));

      expect(store.loading()).toBe(false);
      expect(store.empty()).toBe(false);
      const cpu = store.charts().find((c) => c.id === 'cpu');
      expect(cpu?.series[0].series).toEqual([
        { name: new Date('2026-01-15T11:59:00.000Z'), value: 20, min: 15, max: 25 },
      ]);
    });

    it('says when the range has no data', () => {
      store.load('local');
      expectHistory({}).flush(historyResponse([]));
      expect(store.empty()).toBe(true);
      expect(store.error()).toBeNull();
    });

    it("shows the hub's reason when it refuses the range", () => {
      store.load('local');
      expectHistory({}).flush(
        { error: 'from is older than the 1h history is kept', code: 'BAD_REQUEST', details: {} },
        { status: 400, statusText: 'Bad Request' },
      );

      expect(store.error()).toBe('from is older than the 1h history is kept');
      expect(store.response()).toBeNull();
    });
  });

  describe('setRange', () => {
    it('asks again, and an older answer still in flight is dropped', () => {
      store.load('local');
      const first = expectHistory({ resolution: 'raw' });
      store.setRange({ kind: 'preset', preset: '7d' });
      expect(first.cancelled).toBe(true);

      const second = expectHistory({ from: '2026-01-08T12:00:00.000Z' });
      expect(second.request.params.has('resolution')).toBe(false);
      second.flush(historyResponse([]));
      expect(store.queriedRange()).toEqual({
        from: '2026-01-08T12:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
      });
      expect(store.spanMs()).toBe(7 * 24 * 3_600_000);
    });
  });

  describe('exportRange', () => {
    it('is the charted range at the resolution the hub answered with', () => {
      store.setRange({ kind: 'preset', preset: '7d' });
      expect(store.exportRange()).toEqual({
        from: '2026-01-08T12:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
      });
      expectHistory({}).flush({ ...historyResponse([]), resolution: '1h' });

      expect(store.exportRange()).toEqual({
        from: '2026-01-08T12:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
        resolution: '1h',
      });
    });

    it('keeps the last hour in raw samples even before the answer', () => {
      store.load('local');
      expect(store.exportRange()?.resolution).toBe('raw');
      expectHistory({});
    });
  });

  describe('selectTime', () => {
    const at = new Date('2026-01-15T11:42:00.000Z');

    beforeEach(() => {
      store.load('local');
      expectHistory({}).flush(historyResponse([cpuPoint(at.toISOString(), 50)]));
    });

    it('loads the top processes of that minute', () => {
      store.selectTime(at);
      expect(store.selected()).toEqual(at);
      expect(store.processes().status).toBe('loading');

      const peaks: ProcessHistoryResponse = {
        agent_id: 'local',
        timestamp: '2026-01-15T11:42:00.000Z',
        top_by_cpu: [
          { pid: 7, name: 'java', user: 'app', command: 'java -jar', cpu: 180, memory: 1 },
        ],
        top_by_memory: [],
      };
      backend
        .expectOne(
          (req) =>
            req.url === '/api/v1/history/processes' &&
            req.params.get('at') === '2026-01-15T11:42:00.000Z' &&
            req.params.get('agent_id') === 'local',
        )
        .flush(peaks);

      expect(store.processes()).toEqual({ status: 'loaded', data: peaks });
    });

    it('says so when no processes were kept for that minute', () => {
      store.selectTime(at);
      backend
        .expectOne((req) => req.url === '/api/v1/history/processes')
        .flush(
          { error: 'not found', code: 'NOT_FOUND', details: {} },
          { status: 404, statusText: 'Not Found' },
        );

      expect(store.processes()).toEqual({
        status: 'error',
        message: 'No process samples were kept for that minute.',
      });
    });

    it('forgets the selection when the range changes', () => {
      store.selectTime(at);
      backend.expectOne((req) => req.url === '/api/v1/history/processes');
      store.refresh();
      expectHistory({});

      expect(store.selected()).toBeNull();
      expect(store.processes()).toEqual({ status: 'idle' });
    });
  });
});
