import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import type { MeResponse } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { Subject, defer, of, throwError } from 'rxjs';
import { metricsSample } from '../../testing/metrics-sample';
import { AuthApi } from '../auth/auth.api';
import { StreamClosedError, reconnectDelay } from '../core/metrics-stream';
import type { StreamEvent } from './dashboard.api';
import { DashboardApi } from './dashboard.api';
import { DashboardStore, HISTORY_LENGTH } from './dashboard.store';

function sampleAt(second: number, cpu: number) {
  const timestamp = new Date(Date.UTC(2026, 0, 15, 10, 0, second)).toISOString();
  return metricsSample({
    timestamp,
    cpu: { ...metricsSample().cpu, totalUsage: cpu },
  });
}

describe(DashboardStore.name, () => {
  let streams: Subject<StreamEvent>[];
  let me: jest.Mock<Observable<MeResponse>, number[]>;
  let store: DashboardStore;

  beforeEach(() => {
    jest.useFakeTimers();
    streams = [];
    me = jest.fn(() => of({} as MeResponse));
    TestBed.configureTestingModule({
      providers: [
        DashboardStore,
        {
          provide: DashboardApi,
          useValue: {
            // Cold like the real one: every subscription is a new connection.
            metrics: () =>
              defer(() => {
                const stream = new Subject<StreamEvent>();
                streams.push(stream);
                return stream;
              }),
          },
        },
        { provide: AuthApi, useValue: { me } },
      ],
    });
    store = TestBed.inject(DashboardStore);
  });

  afterEach(() => jest.useRealTimers());

  function current(): Subject<StreamEvent> {
    return streams[streams.length - 1];
  }

  describe('connect', () => {
    it('is loading until the first sample arrives', () => {
      store.connect('local');
      expect(store.status()).toBe('connecting');
      current().next({ kind: 'open' });

      expect(store.status()).toBe('live');
      expect(store.loading()).toBe(true);

      current().next({ kind: 'sample', sample: metricsSample() });
      expect(store.loading()).toBe(false);
      expect(store.system()?.hostname).toBe('test-host');
    });

    it('grows the charts by one point per sample', () => {
      store.connect('local');
      current().next({ kind: 'sample', sample: sampleAt(0, 10) });
      current().next({ kind: 'sample', sample: sampleAt(1, 30) });

      expect(store.pointCount()).toBe(2);
      expect(store.cpuSeries()[0].series.map((p) => p.value)).toEqual([10, 30]);
      expect(store.cpuTotal()).toBe(30);
    });

    it(`keeps only the last ${HISTORY_LENGTH} samples`, () => {
      store.connect('local');
      for (let i = 0; i < HISTORY_LENGTH + 5; i++) {
        current().next({ kind: 'sample', sample: sampleAt(i, i) });
      }

      expect(store.pointCount()).toBe(HISTORY_LENGTH);
      expect(store.cpuSeries()[0].series[0].value).toBe(5);
    });

    it('sums network rates without loopback', () => {
      store.connect('local');
      current().next({ kind: 'sample', sample: metricsSample() });

      expect(store.network()).toEqual({ rxRate: 1000, txRate: 250 });
      const [rx, tx] = store.networkSeries();
      expect(rx.series[0].value).toBe(1000);
      expect(tx.series[0].value).toBe(250);
    });

    it('shows reconnecting while the browser retries and live again after', () => {
      store.connect('local');
      current().next({ kind: 'sample', sample: metricsSample() });
      current().next({ kind: 'interrupted' });
      expect(store.status()).toBe('reconnecting');

      current().next({ kind: 'open' });
      expect(store.status()).toBe('live');
      expect(streams).toHaveLength(1);
    });

    it('re-creates a closed stream after a back-off, once the session checks out', () => {
      store.connect('local');
      current().error(new StreamClosedError());
      expect(store.status()).toBe('reconnecting');

      jest.advanceTimersByTime(reconnectDelay(1) - 1);
      expect(streams).toHaveLength(1);
      jest.advanceTimersByTime(1);

      expect(me).toHaveBeenCalledTimes(1);
      expect(streams).toHaveLength(2);
      current().next({ kind: 'open' });
      expect(store.status()).toBe('live');
    });

    it('keeps trying while the hub is unreachable', () => {
      me.mockReturnValue(throwError(() => new HttpErrorResponse({ status: 0 })));
      store.connect('local');
      current().error(new StreamClosedError());
      jest.advanceTimersByTime(reconnectDelay(1));

      expect(streams).toHaveLength(2);
      current().error(new StreamClosedError());
      jest.advanceTimersByTime(reconnectDelay(2));
      expect(streams).toHaveLength(3);
    });

    it('stops when the session is gone', () => {
      me.mockReturnValue(throwError(() => new HttpErrorResponse({ status: 401 })));
      store.connect('local');
      current().error(new StreamClosedError());
      jest.advanceTimersByTime(reconnectDelay(1));

      expect(store.status()).toBe('stopped');
      expect(streams).toHaveLength(1);
    });
  });
});
