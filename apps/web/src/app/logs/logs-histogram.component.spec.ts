import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { LogHistogramResponse } from '@tyto/contracts';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import { TimeFormat, formatTime } from '../shared/format/time-format';
import type { HistogramRange } from './logs-histogram.component';
import { LogsHistogramComponent, histogramTimeStyle } from './logs-histogram.component';
import { LogsPage } from './logs.page';
import { histogramBars } from './logs.store';

const T0 = new Date(2026, 11, 1, 14, 0, 0).getTime();
const MINUTE = 60_000;

function histogram(counts: number[], interval = MINUTE): LogHistogramResponse {
  return {
    from: new Date(T0).toISOString(),
    to: new Date(T0 + counts.length * interval).toISOString(),
    interval_ms: interval,
    buckets: counts.map((count, i) => ({
      timestamp: new Date(T0 + i * interval).toISOString(),
      count,
    })),
    total: counts.reduce((a, b) => a + b, 0),
  };
}

describe(LogsHistogramComponent.name, () => {
  function render(h: LogHistogramResponse) {
    const fixture = TestBed.createComponent(LogsHistogramComponent);
    fixture.componentRef.setInput('histogram', h);
    const picked: HistogramRange[] = [];
    fixture.componentInstance.narrow.subscribe((r) => picked.push(r));
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    return { fixture, el, picked };
  }
  const bars = (el: HTMLElement) =>
    Array.from(el.querySelectorAll<HTMLElement>('[data-testid="logs-histogram-bar"]'));

  beforeEach(() => TestBed.inject(TimeFormat).set({ hourCycle: '24', timeZone: 'browser' }));

  it('draws one bar per bucket, as tall as its share of the busiest', () => {
    const { el } = render(histogram([0, 5, 10, 2, 0, 1, 0, 0, 0, 10]));
    const heights = bars(el).map((b) => (b.querySelector('.bar') as HTMLElement).style.height);
    expect(heights).toEqual(['0%', '50%', '100%', '20%', '0%', '10%', '0%', '0%', '0%', '100%']);
    expect(el.querySelector('[data-testid="logs-histogram-max"]')?.textContent).toContain(
      'max 10 per bar',
    );
  });

  it('labels a handful of round ticks in the app time format', () => {
    const { el } = render(histogram(new Array<number>(60).fill(1)));
    const ticks = Array.from(el.querySelectorAll('[data-testid="logs-histogram-tick"]')).map((t) =>
      t.textContent?.trim(),
    );
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(5);
    const format = (ms: number) =>
      formatTime(ms, 'minute', { hourCycle: '24', timeZone: 'browser' });
    // An hour of minute bars: ticks on the quarter hours.
    expect(ticks).toEqual([0, 15, 30, 45].map((m) => format(T0 + m * MINUTE)));
  });

  it('shows the count and the bucket time on hover and focus, and narrows to a clicked bar', () => {
    const { fixture, el, picked } = render(histogram([3, 1, 0]));
    const [first, second] = bars(el);
    first.dispatchEvent(new Event('mouseenter'));
    fixture.detectChanges();
    const format = (ms: number) =>
      formatTime(ms, 'minute', { hourCycle: '24', timeZone: 'browser' });
    const tip = () => el.querySelector('[data-testid="logs-histogram-tip"]')?.textContent?.trim();
    expect(tip()).toBe(`3 lines · ${format(T0)} – ${format(T0 + MINUTE)}`);
    second.dispatchEvent(new Event('focus'));
    fixture.detectChanges();
    expect(tip()).toBe(`1 line · ${format(T0 + MINUTE)} – ${format(T0 + 2 * MINUTE)}`);
    expect(second.getAttribute('aria-label')).toBe(tip());
    second.click();
    expect(picked).toEqual([{ from: new Date(T0 + MINUTE), to: new Date(T0 + 2 * MINUTE - 1) }]);
  });

  describe(histogramTimeStyle.name, () => {
    it('shows seconds for short bars and the date past a day', () => {
      expect(histogramTimeStyle(10_000, 600_000)).toBe('time');
      expect(histogramTimeStyle(MINUTE, 3_600_000)).toBe('minute');
      expect(histogramTimeStyle(3_600_000, 7 * 86_400_000)).toBe('short');
    });
  });
});

describe('the log explorer with its histogram', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideNoopAnimations(),
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: () => new EventTarget() as unknown as EventSource,
        },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('asks for the histogram with the filters, draws it above the results, and a click narrows the range', () => {
    const fixture = TestBed.createComponent(LogsPage);
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    http
      .expectOne((r) => r.url === '/api/v1/logs')
      .flush({ entries: [], total: 4, total_estimated: false });
    const first = http.expectOne((r) => r.url === '/api/v1/logs/histogram');
    expect(first.request.params.get('buckets')).toBe(String(histogramBars()));
    expect(first.request.params.has('limit')).toBe(false);
    first.flush(histogram([1, 3]));
    fixture.detectChanges();
    const figure = el.querySelector('[data-testid="logs-histogram"]') as HTMLElement;
    const table = el.querySelector('[data-testid="logs-table"]') as HTMLElement;
    expect(figure).not.toBeNull();
    // Above the results.
    expect(figure.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    // A search: both requests carry the same filters.
    const q = el.querySelector('[data-testid="logs-search"]') as HTMLInputElement;
    q.value = 'refused';
    q.dispatchEvent(new Event('input'));
    (el.querySelector('[data-testid="logs-apply"]') as HTMLButtonElement).click();
    http
      .expectOne((r) => r.url === '/api/v1/logs' && r.params.get('q') === 'refused')
      .flush({
        entries: [],
        total: 4,
        total_estimated: false,
      });
    http
      .expectOne((r) => r.url === '/api/v1/logs/histogram' && r.params.get('q') === 'refused')
      .flush(histogram([1, 3]));
    fixture.detectChanges();

    // Clicking the second bar searches its minute, the search text kept.
    (el.querySelectorAll('[data-testid="logs-histogram-bar"]')[1] as HTMLButtonElement).click();
    fixture.detectChanges();
    const from = new Date(T0 + MINUTE).toISOString();
    const to = new Date(T0 + 2 * MINUTE - 1).toISOString();
    const narrowed = http.expectOne((r) => r.url === '/api/v1/logs');
    expect(narrowed.request.params.get('from')).toBe(from);
    expect(narrowed.request.params.get('to')).toBe(to);
    expect(narrowed.request.params.get('q')).toBe('refused');
    const bars = http.expectOne((r) => r.url === '/api/v1/logs/histogram');
    expect(bars.request.params.get('from')).toBe(from);
    expect(bars.request.params.get('to')).toBe(to);
    // The range line shows the bar's span, to the millisecond, in the app's time format.
    fixture.detectChanges();
    const prefs = TestBed.inject(TimeFormat).prefs();
    const shown = el.querySelector('[data-testid="logs-range"]')?.textContent?.trim();
    expect(shown).toBe(
      `${formatTime(from, 'precise', prefs)} – ${formatTime(to, 'precise', prefs)}`,
    );
  });
});
