import { TestBed } from '@angular/core/testing';
import { metricsSample } from '../../testing/metrics-sample';
import type { FakeEventSource } from '../../testing/fake-event-source';
import { fakeEventSources } from '../../testing/fake-event-source';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import type { StreamEvent } from './dashboard.api';
import { DashboardApi } from './dashboard.api';

describe(DashboardApi.name, () => {
  let sources: FakeEventSource[];
  let api: DashboardApi;

  beforeEach(() => {
    sources = [];
    TestBed.configureTestingModule({
      providers: [{ provide: EVENT_SOURCE_FACTORY, useValue: fakeEventSources(sources) }],
    });
    api = TestBed.inject(DashboardApi);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('metrics', () => {
    it('streams the samples of the agent', () => {
      const events: StreamEvent[] = [];
      api.metrics('web 01').subscribe((event) => events.push(event));
      sources[0].emit('metrics', JSON.stringify(metricsSample()));

      expect(sources[0].url).toBe('/api/v1/stream?agent_id=web%2001');
      const sample = events[0];
      expect(sample.kind === 'sample' && sample.sample.system.hostname).toBe('test-host');
    });

    it('drops samples that miss what the dashboard draws', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      sources[0].emit('metrics', JSON.stringify({ ...metricsSample(), cpu: undefined }));

      expect(events).toEqual([]);
      expect(console.error).toHaveBeenCalledTimes(1);
    });

    it('keeps the hostname and addresses a later sample leaves out as unchanged', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      const first = metricsSample();
      const { hostname: _hostname, ...system } = first.system;
      const interfaces = first.network.interfaces.map(({ ipv4: _ipv4, ...i }) => i);
      sources[0].emit('metrics', JSON.stringify(first));
      sources[0].emit(
        'metrics',
        JSON.stringify({ ...first, system, network: { ...first.network, interfaces } }),
      );

      const last = events.at(-1);
      expect(last?.kind === 'sample' && last.sample.system.hostname).toBe('test-host');
      expect(last?.kind === 'sample' && last.sample.network.interfaces[0].ipv4).toBe(
        first.network.interfaces[0].ipv4,
      );
    });

    it('ignores sections it does not draw, even when they are malformed', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      sources[0].emit('metrics', JSON.stringify({ ...metricsSample(), processes: 'garbled' }));

      expect(events.map((e) => e.kind)).toEqual(['sample']);
    });
  });
});
