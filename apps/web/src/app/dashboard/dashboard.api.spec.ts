import { TestBed } from '@angular/core/testing';
import { metricsSample } from '../../testing/metrics-sample';
import type { StreamEvent } from './dashboard.api';
import { DashboardApi, EVENT_SOURCE_FACTORY, StreamClosedError } from './dashboard.api';

// Just enough of EventSource to drive the API the way a browser would.
class FakeEventSource {
  readyState = 0;
  readonly close = jest.fn();
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  emit(type: string, data = '', readyState = this.readyState): void {
    this.readyState = readyState;
    for (const listener of this.listeners.get(type) ?? []) {
      listener({ data } as MessageEvent<string>);
    }
  }
}

describe(DashboardApi.name, () => {
  let sources: FakeEventSource[];
  let api: DashboardApi;

  beforeEach(() => {
    sources = [];
    TestBed.configureTestingModule({
      providers: [
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: (url: string) => {
            const source = new FakeEventSource(url);
            sources.push(source);
            return source as unknown as EventSource;
          },
        },
      ],
    });
    api = TestBed.inject(DashboardApi);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('metrics', () => {
    it('opens the stream for the agent only when subscribed', () => {
      const stream = api.metrics('web 01');
      expect(sources).toHaveLength(0);
      stream.subscribe();
      expect(sources[0].url).toBe('/api/v1/stream?agent_id=web%2001');
    });

    it('emits open and each valid sample', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      sources[0].emit('open', '', 1);
      sources[0].emit('metrics', JSON.stringify(metricsSample()));

      expect(events.map((e) => e.kind)).toEqual(['open', 'sample']);
      const sample = events[1];
      expect(sample.kind === 'sample' && sample.sample.system.hostname).toBe('test-host');
    });

    it('drops events that are not JSON or miss what the dashboard draws', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      sources[0].emit('metrics', 'not json');
      sources[0].emit('metrics', JSON.stringify({ ...metricsSample(), cpu: undefined }));

      expect(events).toEqual([]);
      expect(console.error).toHaveBeenCalledTimes(2);
    });

    it('reports an interruption while the browser is reconnecting by itself', () => {
      const events: StreamEvent[] = [];
      api.metrics('local').subscribe((event) => events.push(event));
      sources[0].emit('error', '', 0);

      expect(events).toEqual([{ kind: 'interrupted' }]);
    });

    it('fails with StreamClosedError once the browser has given up', () => {
      const failed = jest.fn();
      api.metrics('local').subscribe({ error: failed });
      sources[0].emit('error', '', 2);

      expect(failed).toHaveBeenCalledWith(expect.any(StreamClosedError));
      expect(sources[0].close).toHaveBeenCalled();
    });

    it('closes the EventSource on unsubscribe', () => {
      api.metrics('local').subscribe().unsubscribe();
      expect(sources[0].close).toHaveBeenCalled();
    });
  });
});
