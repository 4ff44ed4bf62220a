import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { AlertEvent } from '@tyto/contracts';
import { alertOf, FakeEventSource, SEED_CONFIG } from '../../testing/alert-fixtures';
import { EVENT_SOURCE_FACTORY } from '../core/metrics-stream';
import { AlertBellComponent } from './alert-bell.component';
import { AlertBellStore } from './alert-bell.store';

describe(AlertBellComponent.name, () => {
  let backend: HttpTestingController;
  let fixture: ComponentFixture<AlertBellComponent>;

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    fixture.detectChanges();
  };
  const count = () =>
    (fixture.nativeElement as HTMLElement).querySelector('[data-testid="alert-bell-count"]');

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: (url: string) => new FakeEventSource(url) as unknown as EventSource,
        },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AlertBellComponent);
    fixture.detectChanges();
    const req = backend.expectOne((r) => r.url === '/api/v1/alerts');
    expect(req.request.params.get('state')).toBe('active');
    req.flush({ alerts: [alertOf()], total: 3, config: SEED_CONFIG });
    await settle();
  });
  afterEach(() => {
    fixture.destroy();
    backend.verify();
  });

  it('shows the active count from the hub, marked while anything fires, linking to /alerts', () => {
    expect(count()?.textContent?.trim()).toBe('3');
    expect(count()?.classList).toContain('firing');
    const link = (fixture.nativeElement as HTMLElement).querySelector('a');
    expect(link?.getAttribute('href')).toBe('/alerts');
    // Named by its own text, so what is seen is what is said (axe: label in name).
    expect(link?.getAttribute('aria-label')).toBeNull();
    expect(link?.textContent?.replace(/\s+/g, ' ').trim()).toMatch(/Alerts\s*3 active/);
  });

  it('follows `event: alert` from the alert stream without polling', async () => {
    expect(FakeEventSource.last?.url).toBe('/api/v1/alerts/stream');
    const event: AlertEvent = { change: 'resolved', alert: alertOf(), active: 0 };
    FakeEventSource.last?.send('alert', event);
    await settle();
    expect(count()?.textContent?.trim()).toBe('0');
    expect(count()?.classList).not.toContain('firing');
    expect(TestBed.inject(AlertBellStore).lastEvent()).toEqual(event);
    // A frame that is not an alert event changes nothing.
    FakeEventSource.last?.send('alert', { active: 'many' });
    await settle();
    expect(count()?.textContent?.trim()).toBe('0');
    backend.expectNone((r) => r.url === '/api/v1/alerts');
  });

  it('closes its stream when it leaves the page', () => {
    const source = FakeEventSource.last;
    fixture.destroy();
    expect(source?.closed).toBe(true);
  });
});
