import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import type { Alert, AlertEvent, Permission, Silence } from '@tyto/contracts';
import { alertOf, SEED_CONFIG } from '../../testing/alert-fixtures';
import { AuthStore } from '../auth/auth.store';
import { AlertBellStore } from './alert-bell.store';
import { AlertsPage } from './alerts.page';

const silenceOf = (over: Partial<Silence> = {}): Silence => ({
  id: 's-1',
  agent_id: null,
  starts_at: '2026-01-15T10:00:00.000Z',
  ends_at: '2026-01-15T11:00:00.000Z',
  reason: 'kernel upgrade',
  created_by: 'ann',
  created_at: '2026-01-15T10:00:00.000Z',
  active: true,
  ...over,
});

describe(AlertsPage.name, () => {
  let permissions: Permission[];
  let backend: HttpTestingController;
  let fixture: ComponentFixture<AlertsPage>;
  const lastEvent = signal<AlertEvent | null>(null);

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    fixture.detectChanges();
  };
  const el = () => fixture.nativeElement as HTMLElement;
  const answerList = (alerts: Alert[]) => {
    const req = backend.expectOne((r) => r.method === 'GET' && r.url === '/api/v1/alerts');
    req.flush({ alerts, total: alerts.length, config: SEED_CONFIG });
    return req.request;
  };

  async function render(alerts: Alert[], silences: Silence[] = []): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthStore, useValue: { can: (p: Permission) => permissions.includes(p) } },
        { provide: AlertBellStore, useValue: { lastEvent } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AlertsPage);
    fixture.detectChanges();
    answerList(alerts);
    backend.expectOne('/api/v1/alerts/silences').flush({ silences });
    await settle();
  }

  afterEach(() => {
    fixture.destroy();
    backend.verify();
    lastEvent.set(null);
  });

  it('lists active alerts with their state; a viewer sees no acknowledge or silence controls', async () => {
    permissions = ['alerts:view'];
    await render([
      alertOf(),
      alertOf({ id: 'a-2', acknowledged: true, acknowledged_by: 'ann', silenced: true }),
    ]);
    const rows = el().querySelectorAll('[data-testid="alert-row"]');
    expect(rows).toHaveLength(2);
    const states = Array.from(el().querySelectorAll('[data-testid="alert-state-cell"]')).map((c) =>
      c.textContent?.replace(/\s+/g, ' ').trim(),
    );
    expect(states).toEqual(['active', 'acknowledged by ann (silenced)']);
    expect(el().querySelector('[data-testid="alert-ack"]')).toBeNull();
    expect(el().querySelector('[data-testid="silence-form"]')).toBeNull();
    expect(el().querySelector('[data-testid="nav-alert-channels"]')).toBeNull();
  });

  it('acknowledges an alert for a holder of alerts:acknowledge and shows it marked', async () => {
    permissions = ['alerts:view', 'alerts:acknowledge'];
    await render([alertOf(), alertOf({ id: 'a-2', acknowledged: true, acknowledged_by: 'ann' })]);
    const buttons = el().querySelectorAll<HTMLButtonElement>('[data-testid="alert-ack"]');
    // Only the one not yet acknowledged offers it.
    expect(buttons).toHaveLength(1);
    buttons[0].click();
    const ack = backend.expectOne({ method: 'POST', url: '/api/v1/alerts/a-1/acknowledge' });
    ack.flush(alertOf({ acknowledged: true, acknowledged_by: 'admin' }));
    await settle();
    answerList([alertOf({ acknowledged: true, acknowledged_by: 'admin' })]);
    await settle();
    expect(el().querySelector('[data-testid="alert-state-cell"]')?.textContent).toContain(
      'acknowledged by admin',
    );
    expect(el().querySelector('[data-testid="alert-ack"]')).toBeNull();
  });

  it('filters by state and host, and reloads on every alert event', async () => {
    permissions = ['alerts:view'];
    await render([]);
    expect(el().querySelector('[data-testid="alert-empty"]')).not.toBeNull();
    const host = el().querySelector<HTMLInputElement>('[data-testid="alert-filter-host"]');
    if (!host) throw new Error('no host filter');
    host.value = ' db-01 ';
    host.dispatchEvent(new Event('input'));
    const history = Array.from(el().querySelectorAll('mat-button-toggle button')).find(
      (b) => b.textContent?.trim() === 'History',
    ) as HTMLButtonElement;
    history.click();
    await settle();
    const req = answerList([alertOf({ agent_id: 'db-01', resolved_at: '2026-01-15T10:40:00Z' })]);
    expect(req.params.get('state')).toBe('resolved');
    expect(req.params.get('agent_id')).toBe('db-01');
    expect(req.params.has('level')).toBe(false);
    await settle();
    expect(el().querySelector('[data-testid="alert-state-cell"]')?.textContent).toContain(
      'resolved',
    );

    lastEvent.set({ change: 'raised', alert: alertOf(), active: 1 });
    await settle();
    const again = answerList([]);
    expect(again.params.get('state')).toBe('resolved');
  });

  it('silences a host or all hosts for holders of alerts:manage, with a reason', async () => {
    permissions = ['alerts:view', 'alerts:manage'];
    await render([], [silenceOf()]);
    expect(el().querySelector('[data-testid="silence-list"]')?.textContent).toContain('all hosts');
    const form = el().querySelector('[data-testid="silence-form"]') as HTMLFormElement;
    const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
    // A reason is required.
    expect(submit.disabled).toBe(true);
    const reason = el().querySelector<HTMLInputElement>('[data-testid="silence-reason"]');
    if (!reason) throw new Error('no reason input');
    reason.value = 'disk swap';
    reason.dispatchEvent(new Event('input'));
    fixture.detectChanges();
    expect(submit.disabled).toBe(false);
    const before = Date.now();
    form.dispatchEvent(new Event('submit'));
    const post = backend.expectOne({ method: 'POST', url: '/api/v1/alerts/silences' });
    const body = post.request.body as { agent_id: string | null; ends_at: string; reason: string };
    expect(body.agent_id).toBeNull();
    expect(body.reason).toBe('disk swap');
    // 60 minutes by default.
    expect(Date.parse(body.ends_at) - before).toBeGreaterThanOrEqual(60 * 60_000 - 1000);
    post.flush(silenceOf({ id: 's-2', reason: 'disk swap' }));
    await settle();
    backend
      .expectOne('/api/v1/alerts/silences')
      .flush({ silences: [silenceOf(), silenceOf({ id: 's-2', reason: 'disk swap' })] });
    await settle();
    expect(el().querySelector('[data-testid="silence-list"]')?.textContent).toContain('disk swap');
  });
});
