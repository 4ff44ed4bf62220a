import { provideHttpClient } from '@angular/common/http';
import type { TestRequest } from '@angular/common/http/testing';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { LogHistogramResponse, LogListResponse } from '@tyto/contracts';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import type { TimePrefs } from '../shared/format/time-format';
import { TimeFormat } from '../shared/format/time-format';
import { LogsPage, rangeLabel } from './logs.page';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const UTC24: TimePrefs = { hourCycle: '24', timeZone: 'UTC' };
const NO_LINES: LogListResponse = { entries: [], total: 0, total_estimated: false };
const NO_BARS: LogHistogramResponse = {
  from: NOW.toISOString(),
  to: NOW.toISOString(),
  interval_ms: 60_000,
  buckets: [],
  total: 0,
};

describe(rangeLabel.name, () => {
  it('writes a picked range to the minute and a bar’s span to the millisecond', () => {
    expect(rangeLabel('2026-01-15T09:30:00.000Z', '2026-01-15T10:45:00.000Z', UTC24)).toBe(
      'Jan 15, 2026, 09:30 – Jan 15, 2026, 10:45',
    );
    expect(rangeLabel('2026-01-15T09:30:00.000Z', '2026-01-15T09:30:59.999Z', UTC24)).toBe(
      'Jan 15, 09:30:00.000 – Jan 15, 09:30:59.999',
    );
  });

  it('says which end is open', () => {
    expect(rangeLabel('2026-01-15T09:30:00.000Z', '', UTC24)).toBe('From Jan 15, 2026, 09:30');
    expect(rangeLabel('', '2026-01-15T09:30:00.000Z', UTC24)).toBe('Until Jan 15, 2026, 09:30');
    expect(rangeLabel('', '', UTC24)).toBe('Any time');
  });
});

describe('the log explorer’s time range', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<LogsPage>;
  let el: HTMLElement;

  // Only Date is faked: "now" is fixed, the timers Angular and the calendar use run as usual.
  beforeEach(() => {
    jest.useFakeTimers({
      now: NOW,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
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
    TestBed.inject(TimeFormat).set(UTC24);
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(LogsPage);
    fixture.detectChanges();
    el = fixture.nativeElement as HTMLElement;
    answer();
  });

  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  // Answers the search and its histogram; returns the search request.
  function answer(): TestRequest {
    const [list] = http.match((r) => r.url === '/api/v1/logs');
    http.expectOne((r) => r.url === '/api/v1/logs/histogram').flush(NO_BARS);
    list.flush(NO_LINES);
    fixture.detectChanges();
    return list;
  }

  const find = <T extends HTMLElement>(id: string) => el.querySelector<T>(`[data-testid="${id}"]`);
  const text = (id: string) => find(id)?.textContent?.trim();

  function click(id: string): void {
    const target = find(id);
    if (!target) throw new Error(`${id} is not rendered`);
    target.click();
    fixture.detectChanges();
  }

  function type(id: string, value: string): void {
    const input = find<HTMLInputElement>(id);
    if (!input) throw new Error(`${id} is not rendered`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    fixture.detectChanges();
  }

  it('has no native date inputs: the range is text and a button that opens the picker', () => {
    expect(el.querySelector('input[type="datetime-local"], input[type="date"]')).toBeNull();
    expect(text('logs-range')).toBe('Any time');
    expect(find('logs-range-clear')).toBeNull();
    const button = find('logs-range-button') as HTMLButtonElement;
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(find('custom-range')).toBeNull();

    click('logs-range-button');
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(find('custom-range')).not.toBeNull();
    expect(el.querySelector('input[type="datetime-local"], input[type="date"]')).toBeNull();
    // With no range set it opens on the last hour.
    expect(find<HTMLInputElement>('custom-from')?.value).toBe('11:00');
    expect(find<HTMLInputElement>('custom-to')?.value).toBe('12:00');

    click('logs-range-button');
    expect(find('custom-range')).toBeNull();
  });

  it('searches the picked range as instants, the other filters kept, and widens back out', () => {
    type('logs-search', 'refused');
    click('logs-range-button');
    type('custom-from', '09:30');
    type('custom-to', '10:45');
    click('custom-apply');
    const picked = answer();
    expect(picked.request.params.get('from')).toBe('2026-01-15T09:30:00.000Z');
    expect(picked.request.params.get('to')).toBe('2026-01-15T10:45:00.000Z');
    expect(picked.request.params.get('q')).toBe('refused');
    expect(find('custom-range')).toBeNull();
    expect(text('logs-range')).toBe('Jan 15, 2026, 09:30 – Jan 15, 2026, 10:45');
    expect(text('logs-range-button')).toBe('Change');

    // Opened again, it starts from the range set.
    click('logs-range-button');
    expect(find<HTMLInputElement>('custom-from')?.value).toBe('09:30');
    click('logs-range-button');

    click('logs-range-clear');
    const widened = answer();
    expect(widened.request.params.has('from')).toBe(false);
    expect(widened.request.params.has('to')).toBe(false);
    expect(widened.request.params.get('q')).toBe('refused');
    expect(text('logs-range')).toBe('Any time');
  });

  it('Clear resets the range with the other filters', () => {
    click('logs-range-button');
    click('custom-apply');
    expect(answer().request.params.get('from')).toBe('2026-01-15T11:00:00.000Z');
    const clear = Array.from(el.querySelectorAll('button')).find(
      (b) => b.textContent?.trim() === 'Clear',
    );
    clear?.click();
    fixture.detectChanges();
    expect(answer().request.params.has('from')).toBe(false);
    expect(text('logs-range')).toBe('Any time');
  });
});
