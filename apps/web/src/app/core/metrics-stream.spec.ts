import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import type { MeResponse, MetricsSnapshot } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { Subject, defer, of, throwError } from 'rxjs';
import * as z from 'zod';
import type { FakeEventSource } from '../../testing/fake-event-source';
import { fakeEventSources } from '../../testing/fake-event-source';
import { snapshotSample } from '../../testing/metrics-sample';
import type { AuthApi } from '../auth/auth.api';
import type { StreamEvent } from './metrics-stream';
import {
  EVENT_SOURCE_FACTORY,
  MetricsStreamApi,
  StreamClosedError,
  reconnectDelay,
  reconnectWithBackoff,
} from './metrics-stream';

const PointSchema = z.object({ timestamp: z.string(), value: z.number() });
type Point = z.infer<typeof PointSchema>;

describe(MetricsStreamApi.name, () => {
  let sources: FakeEventSource[];
  let api: MetricsStreamApi;

  beforeEach(() => {
    sources = [];
    TestBed.configureTestingModule({
      providers: [{ provide: EVENT_SOURCE_FACTORY, useValue: fakeEventSources(sources) }],
    });
    api = TestBed.inject(MetricsStreamApi);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('samples', () => {
    it('opens the stream for the agent only when subscribed', () => {
      const stream = api.samples('web 01', PointSchema);
      expect(sources).toHaveLength(0);
      stream.subscribe();
      expect(sources[0].url).toBe('/api/v1/stream?agent_id=web%2001');
    });

    it('emits open and each sample that matches the schema', () => {
      const events: StreamEvent<Point>[] = [];
      api.samples('local', PointSchema).subscribe((event) => events.push(event));
      sources[0].emit('open', '', 1);
      sources[0].emit('metrics', JSON.stringify({ timestamp: 't', value: 3, extra: true }));

      expect(events).toEqual([
        { kind: 'open' },
        { kind: 'sample', sample: { timestamp: 't', value: 3 } },
      ]);
    });

    it('drops events that are not JSON or do not match the schema', () => {
      const events: StreamEvent<Point>[] = [];
      api.samples('local', PointSchema).subscribe((event) => events.push(event));
      sources[0].emit('metrics', 'not json');
      sources[0].emit('metrics', JSON.stringify({ timestamp: 't' }));

      expect(events).toEqual([]);
      expect(console.error).toHaveBeenCalledTimes(2);
    });

    it('reports an interruption while the browser is reconnecting by itself', () => {
      const events: StreamEvent<Point>[] = [];
      api.samples('local', PointSchema).subscribe((event) => events.push(event));
      sources[0].emit('error', '', 0);

      expect(events).toEqual([{ kind: 'interrupted' }]);
    });

    it('closes and fails with StreamClosedError when the hub ends the stream', () => {
      const failed = jest.fn();
      api.samples('local', PointSchema).subscribe({ error: failed });
      sources[0].emit('end', JSON.stringify({ code: 'SESSION_EXPIRED' }), 1);
      expect(sources[0].close).toHaveBeenCalled();
      expect(failed).toHaveBeenCalledWith(expect.any(StreamClosedError));
    });

    it('fails with StreamClosedError once the browser has given up', () => {
      const failed = jest.fn();
      api.samples('local', PointSchema).subscribe({ error: failed });
      sources[0].emit('error', '', 2);

      expect(failed).toHaveBeenCalledWith(expect.any(StreamClosedError));
      expect(sources[0].close).toHaveBeenCalled();
    });

    it('closes the EventSource on unsubscribe', () => {
      api.samples('local', PointSchema).subscribe().unsubscribe();
      expect(sources[0].close).toHaveBeenCalled();
    });
  });

  describe('snapshots', () => {
    const services: MetricsSnapshot['systemd'] = {
      available: true,
      services: [
        {
          name: 'nginx.service',
          description: 'nginx',
          load: 'loaded',
          state: 'active',
          subState: 'running',
        },
      ],
    };

    // A live sample as the hub sends it once the slow sections have not changed.
    function withoutSlowSections(
      snapshot: MetricsSnapshot,
    ): Omit<MetricsSnapshot, 'gpu' | 'docker' | 'systemd'> {
      const { gpu: _gpu, docker: _docker, systemd: _systemd, ...live } = snapshot;
      return live;
    }

    function follow(agentId = 'local'): MetricsSnapshot[] {
      const samples: MetricsSnapshot[] = [];
      api.snapshots(agentId).subscribe((event) => {
        if (event.kind === 'sample') samples.push(event.sample);
      });
      return samples;
    }

    it('fills the slow sections a live sample leaves out from the previous sample', () => {
      const samples = follow();
      const first = snapshotSample({ systemd: services });
      const second = snapshotSample({ timestamp: '2026-01-15T10:30:05.000Z' });
      sources[0].emit('metrics', JSON.stringify(first));
      sources[0].emit('metrics', JSON.stringify(withoutSlowSections(second)));

      expect(samples).toEqual([first, { ...second, systemd: services }]);
    });

    it('takes a slow section the live sample carries over the previous one', () => {
      const samples = follow();
      const failed = { available: false, reason: 'systemctl timed out', services: [] };
      sources[0].emit('metrics', JSON.stringify(snapshotSample({ systemd: services })));
      sources[0].emit('metrics', JSON.stringify(snapshotSample({ systemd: failed })));
      sources[0].emit('metrics', JSON.stringify(withoutSlowSections(snapshotSample())));

      expect(samples.map((s) => s.systemd)).toEqual([services, failed, failed]);
    });

    it('keeps the previous sample of each agent apart', () => {
      const samples = follow();
      const other = snapshotSample({ agent_id: 'web-01' });
      sources[0].emit('metrics', JSON.stringify(snapshotSample({ systemd: services })));
      sources[0].emit('metrics', JSON.stringify(other));
      sources[0].emit('metrics', JSON.stringify(withoutSlowSections(snapshotSample())));
      sources[0].emit('metrics', JSON.stringify(withoutSlowSections(other)));

      expect(samples.map((s) => s.systemd)).toEqual([
        services,
        other.systemd,
        services,
        other.systemd,
      ]);
    });

    it('reports a section left out before any sample had it as not received yet', () => {
      const samples = follow();
      sources[0].emit('metrics', JSON.stringify(withoutSlowSections(snapshotSample())));

      expect(samples[0].systemd).toEqual({
        available: false,
        reason: 'not received yet',
        services: [],
      });
    });

    it('starts every subscription without a previous sample', () => {
      follow();
      sources[0].emit('metrics', JSON.stringify(snapshotSample({ systemd: services })));
      const again = follow();
      sources[1].emit('metrics', JSON.stringify(withoutSlowSections(snapshotSample())));

      expect(again[0].systemd.reason).toBe('not received yet');
    });

    it('drops samples that do not match the live sample contract', () => {
      const samples = follow();
      sources[0].emit('metrics', JSON.stringify({ ...snapshotSample(), cpu: null }));

      expect(samples).toEqual([]);
      expect(console.error).toHaveBeenCalledTimes(1);
    });
  });
});

describe(reconnectWithBackoff.name, () => {
  let subscriptions: Subject<string>[];
  let me: jest.Mock<Observable<MeResponse>, number[]>;
  const onRetry = jest.fn();

  // Cold like the real stream: every subscription is a new connection.
  const stream = defer(() => {
    const s = new Subject<string>();
    subscriptions.push(s);
    return s;
  });

  beforeEach(() => {
    jest.useFakeTimers();
    onRetry.mockClear();
    subscriptions = [];
    me = jest.fn(() => of({} as MeResponse));
  });

  afterEach(() => jest.useRealTimers());

  function follow(): { values: string[]; failed: jest.Mock } {
    const values: string[] = [];
    const failed = jest.fn();
    stream
      .pipe(reconnectWithBackoff<string>({ me } as unknown as AuthApi, onRetry))
      .subscribe({ next: (v) => values.push(v), error: failed });
    return { values, failed };
  }

  it('subscribes again after the back-off once the session checks out', () => {
    const { values } = follow();
    subscriptions[0].error(new StreamClosedError());
    expect(onRetry).toHaveBeenCalledTimes(1);

    jest.advanceTimersByTime(reconnectDelay(1) - 1);
    expect(subscriptions).toHaveLength(1);
    jest.advanceTimersByTime(1);

    expect(me).toHaveBeenCalledWith(0, 502, 503, 504);
    expect(subscriptions).toHaveLength(2);
    subscriptions[1].next('again');
    expect(values).toEqual(['again']);
  });

  it('backs off from one second again after a value got through', () => {
    follow();
    subscriptions[0].error(new StreamClosedError());
    jest.advanceTimersByTime(reconnectDelay(1));
    subscriptions[1].next('works');
    subscriptions[1].error(new StreamClosedError());
    jest.advanceTimersByTime(reconnectDelay(1));

    expect(subscriptions).toHaveLength(3);
  });

  it('keeps trying while the hub is unreachable', () => {
    me.mockReturnValue(throwError(() => new HttpErrorResponse({ status: 0 })));
    follow();
    subscriptions[0].error(new StreamClosedError());
    jest.advanceTimersByTime(reconnectDelay(1));
    subscriptions[1].error(new StreamClosedError());
    jest.advanceTimersByTime(reconnectDelay(2));

    expect(subscriptions).toHaveLength(3);
  });

  it('gives up when the session is gone', () => {
    me.mockReturnValue(throwError(() => new HttpErrorResponse({ status: 401 })));
    const { failed } = follow();
    subscriptions[0].error(new StreamClosedError());
    jest.advanceTimersByTime(reconnectDelay(1));

    expect(failed).toHaveBeenCalledWith(expect.any(HttpErrorResponse));
    expect(subscriptions).toHaveLength(1);
  });
});

describe(reconnectDelay.name, () => {
  it('doubles from one second up to thirty', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(reconnectDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});
