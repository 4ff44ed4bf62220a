import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { LogEntry, LogListResponse } from '@tyto/contracts';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import { stripAnsi } from './ansi';
import { LogsApi } from './logs.api';
import { LogsStore, NO_LOG_FILTERS, histogramBars, logsRequest } from './logs.store';

/** An EventSource the test drives: it records its URL and dispatches what the test sends. */
class FakeEventSource extends EventTarget {
  static last: FakeEventSource | null = null;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.last = this;
  }
  send(type: string, data: unknown): void {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  close(): void {
    this.closed = true;
  }
}

const entry = (id: number, message = `line ${id}`): LogEntry => ({
  id: String(id),
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
  agent_id: 'local',
  source: 'file',
  source_name: '/var/log/app.log',
  level: 'info',
  message,
  fields: {},
});

describe(LogsStore.name, () => {
  let store: LogsStore;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        LogsStore,
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: (url: string) => new FakeEventSource(url) as unknown as EventSource,
        },
      ],
    });
    store = TestBed.inject(LogsStore);
    http = TestBed.inject(HttpTestingController);
  });

  const answer = (body: LogListResponse) => {
    const req = http.expectOne((r) => r.url === '/api/v1/logs');
    req.flush(body);
    return req.request;
  };

  describe('logsRequest', () => {
    it('sends only the filters that are set, levels as one comma list', () => {
      const r = logsRequest(
        { ...NO_LOG_FILTERS, levels: ['error', 'warning'], q: ' refused ', agentId: 'web-01' },
        100,
      );
      expect(r).toEqual({
        agent_id: 'web-01',
        source: undefined,
        source_name: undefined,
        level: ['error', 'warning'],
        q: 'refused',
        from: undefined,
        to: undefined,
        limit: 100,
        offset: 100,
      });
      expect(TestBed.inject(LogsApi).streamUrl(r)).toBe(
        '/api/v1/logs/stream?agent_id=web-01&level=error,warning&q=refused',
      );
    });
  });

  it('loads the newest page, then the next one when scrolled to the end', () => {
    store.load();
    const first = answer({ entries: [entry(3), entry(2)], total: 3, total_estimated: false });
    expect(first.params.get('offset')).toBe('0');
    expect(store.hasMore()).toBe(true);
    store.loadMore();
    const second = answer({ entries: [entry(1)], total: 3, total_estimated: false });
    expect(second.params.get('offset')).toBe('2');
    expect(store.entries().map((e) => e.id)).toEqual(['3', '2', '1']);
    expect(store.hasMore()).toBe(false);
  });

  it('shows a search the hub refused next to the filters', () => {
    store.search({ ...NO_LOG_FILTERS, q: '"open' });
    http
      .expectOne((r) => r.url === '/api/v1/logs')
      .flush(
        {
          error: 'Request validation failed',
          code: 'VALIDATION_FAILED',
          details: { issues: [{ path: 'q', message: 'search syntax: unclosed quote' }] },
        },
        { status: 400, statusText: 'Bad Request' },
      );
    expect(store.error()).toBe('q: search syntax: unclosed quote');
  });

  it('asks for the histogram with the same filters, and shows no bars when the hub refuses', () => {
    store.search({ ...NO_LOG_FILTERS, levels: ['error'], agentId: 'web-01' });
    answer({ entries: [], total: 0, total_estimated: false });
    const req = http.expectOne((r) => r.url === '/api/v1/logs/histogram');
    expect(req.request.params.toString()).toBe(
      `agent_id=web-01&level=error&buckets=${histogramBars()}`,
    );
    const h = {
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:02:00.000Z',
      interval_ms: 60_000,
      buckets: [
        { timestamp: '2026-01-01T00:00:00.000Z', count: 2 },
        { timestamp: '2026-01-01T00:01:00.000Z', count: 0 },
      ],
      total: 2,
    };
    req.flush(h);
    expect(store.histogram()).toEqual(h);
    store.search({ ...NO_LOG_FILTERS, q: 'x' });
    answer({ entries: [], total: 0, total_estimated: false });
    http
      .expectOne((r) => r.url === '/api/v1/logs/histogram')
      .flush(
        { error: 'bad', code: 'VALIDATION_FAILED', details: {} },
        { status: 400, statusText: 'Bad Request' },
      );
    expect(store.histogram()).toBeNull();
  });

  it('tails live lines on top, holding them while paused, counting dropped ones', () => {
    store.load();
    answer({ entries: [entry(1)], total: 1, total_estimated: false });
    store.setLive(true);
    const source = FakeEventSource.last as FakeEventSource;
    expect(source.url).toBe('/api/v1/logs/stream');
    source.send('log', entry(2));
    expect(store.entries().map((e) => e.id)).toEqual(['2', '1']);
    store.setPaused(true);
    source.send('log', entry(3));
    source.send('dropped', { dropped: 5 });
    expect(store.entries().map((e) => e.id)).toEqual(['2', '1']);
    expect(store.waitingCount()).toBe(1);
    expect(store.dropped()).toBe(5);
    store.setPaused(false);
    expect(store.entries().map((e) => e.id)).toEqual(['3', '2', '1']);
    source.send('end', { code: 'FORBIDDEN' });
    expect(source.closed).toBe(true);
    expect(store.live()).toBe(false);
  });
});

describe('stripAnsi', () => {
  it('removes colour and cursor sequences and keeps the text', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m plain \u001b]0;title\u0007done \u001b[2K')).toBe(
      'red plain done ',
    );
    expect(stripAnsi('<script>x</script>')).toBe('<script>x</script>');
  });
});

describe('histogramBars', () => {
  it('asks for as many bars as stay at least 24 px wide, from 8 to 60', () => {
    expect(histogramBars(390)).toBe(8);
    expect(histogramBars(1440)).toBe(41);
    expect(histogramBars(4000)).toBe(60);
    // 1440 px: the content beside the side nav is about 1,150 px for 41 bars.
    expect(1150 / histogramBars(1440)).toBeGreaterThanOrEqual(24);
  });
});
