import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { MetricsSnapshot } from '@tyto/contracts';
import { toLiveSample } from '@tyto/contracts';
import type { FakeEventSource } from '../../testing/fake-event-source';
import { fakeEventSources } from '../../testing/fake-event-source';
import { snapshotSample } from '../../testing/metrics-sample';
import type { StreamEvent } from '../core/metrics-stream';
import { EVENT_SOURCE_FACTORY, StreamClosedError } from '../core/metrics-stream';
import type { FleetFrame } from './fleet.api';
import { FleetApi } from './fleet.api';

function frame(samples: unknown[]): string {
  return JSON.stringify({ timestamp: '2026-01-15T10:30:05.000Z', samples });
}

describe(FleetApi.name, () => {
  let sources: FakeEventSource[];
  let api: FleetApi;

  beforeEach(() => {
    sources = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: fakeEventSources(sources) },
      ],
    });
    api = TestBed.inject(FleetApi);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('opens one fleet stream and rebuilds complete snapshots from each frame', () => {
    const events: StreamEvent<FleetFrame>[] = [];
    const sub = api.frames().subscribe((e) => events.push(e));
    expect(sources.map((s) => s.url)).toEqual(['/api/v1/stream?view=fleet']);

    const a1 = snapshotSample({ agent_id: 'a' });
    const b1 = snapshotSample({ agent_id: 'b', timestamp: '2026-01-15T10:30:01.000Z' });
    sources[0].emit('open');
    sources[0].emit('fleet', frame([toLiveSample(a1), toLiveSample(b1)]));
    // The next frame leaves out what did not change since the previous one of the same host.
    const a2: MetricsSnapshot = {
      ...a1,
      timestamp: '2026-01-15T10:30:05.000Z',
      cpu: { ...a1.cpu, totalUsage: 77 },
    };
    const live = toLiveSample(a2, a1);
    expect(live.system.hostname).toBeUndefined();
    sources[0].emit('fleet', frame([live]));

    expect(events[0]).toEqual({ kind: 'open' });
    const second = events[2];
    expect(second.kind).toBe('sample');
    if (second.kind !== 'sample') return;
    expect(second.sample.samples).toHaveLength(1);
    expect(second.sample.samples[0].cpu.totalUsage).toBe(77);
    expect(second.sample.samples[0].system.hostname).toBe(a1.system.hostname);
    sub.unsubscribe();
    expect(sources[0].close).toHaveBeenCalled();
  });

  it('drops a sample that breaks the contract and keeps the rest of the frame', () => {
    const events: StreamEvent<FleetFrame>[] = [];
    api.frames().subscribe((e) => events.push(e));
    const good = snapshotSample({ agent_id: 'good' });
    sources[0].emit('fleet', frame([toLiveSample(good), { agent_id: 'bad', cpu: 'x' }]));
    sources[0].emit('fleet', 'not json');
    expect(events).toHaveLength(1);
    const only = events[0];
    expect(only.kind === 'sample' && only.sample.samples.map((s) => s.agent_id)).toEqual(['good']);
  });

  it('errors with StreamClosedError when the hub ends the stream', () => {
    let error: unknown;
    api.frames().subscribe({ error: (e: unknown) => (error = e) });
    sources[0].emit('end', '{"code":"SESSION_EXPIRED"}');
    expect(error).toBeInstanceOf(StreamClosedError);
  });

  it('reads an hour of per-minute CPU for a sparkline', () => {
    const points: unknown[] = [];
    api.cpuHistory('web-1', new Date('2026-01-15T11:00:00.000Z')).subscribe((p) => points.push(p));
    const req = TestBed.inject(HttpTestingController).expectOne((r) => r.url === '/api/v1/history');
    expect(req.request.params.get('agent_id')).toBe('web-1');
    expect(req.request.params.get('from')).toBe('2026-01-15T10:00:00.000Z');
    expect(req.request.params.get('resolution')).toBe('1m');
    expect(req.request.params.get('metrics')).toBe('cpu');
    req.flush({
      from: '',
      to: '',
      resolution: '1m',
      agent_id: 'web-1',
      data: [
        { timestamp: '2026-01-15T10:01:00.000Z', cpu: { avg: 12, min: 1, max: 20 } },
        { timestamp: '2026-01-15T10:02:00.000Z', cpu: null },
      ],
    });
    expect(points).toEqual([[{ time: Date.parse('2026-01-15T10:01:00.000Z'), cpu: 12 }]]);
  });
});
