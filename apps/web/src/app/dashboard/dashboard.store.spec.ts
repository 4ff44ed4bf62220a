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
import { DashboardStore } from './dashboard.store';

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
  let history: jest.Mock;
  let store: DashboardStore;

  beforeEach(() => {
    jest.useFakeTimers();
    streams = [];
    me = jest.fn(() => of({} as MeResponse));
    history = jest.fn(() => of({ data: [] }));
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
            history,
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

    it('keeps the last hour of samples', () => {
      store.connect('local');
      // One sample a minute for 70 minutes.
      for (let i = 0; i < 70; i++) {
        current().next({ kind: 'sample', sample: sampleAt(i * 60, i) });
      }

      expect(store.pointCount()).toBe(61);
      expect(store.cpuSeries()[0].series[0].value).toBe(9);
    });

    it('opens with the stored last hour drawn, under the live samples', async () => {
      const stored = (second: number, cpu: number) => ({
        timestamp: new Date(Date.UTC(2026, 0, 15, 9, 59, second)).toISOString(),
        cpu: { avg: cpu, min: cpu, max: cpu },
        net_rx: { avg: 100, min: 100, max: 100 },
        net_tx: { avg: 50, min: 50, max: 50 },
      });
      history.mockReturnValue(of({ data: [stored(0, 1), stored(30, 2)] }));
      store.connect('local');
      for (let i = 0; i < 5; i++) await Promise.resolve();
      current().next({ kind: 'sample', sample: sampleAt(0, 10) });

      expect(history).toHaveBeenCalledWith(
        expect.objectContaining({ agent_id: 'local', metrics: 'cpu,net_rx,net_tx' }),
      );
      expect(store.cpuSeries()[0].series.map((p) => p.value)).toEqual([1, 2, 10]);
      expect(store.networkSeries()[1].series[0].value).toBe(50);
    });

    it('turns stale when no sample came for two intervals, and fresh with the next one', () => {
      store.connect('local');
      current().next({ kind: 'sample', sample: sampleAt(0, 10) });
      current().next({ kind: 'sample', sample: sampleAt(5, 10) });
      expect(store.stale()).toBe(false);

      jest.advanceTimersByTime(12_000);
      // The stream still looks open (a hub that stopped sending): only the age tells.
      expect(store.status()).toBe('live');
      expect(store.stale()).toBe(true);
      expect(store.ageMs()).toBeGreaterThanOrEqual(11_000);

      current().next({ kind: 'sample', sample: sampleAt(17, 10) });
      expect(store.stale()).toBe(false);
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
