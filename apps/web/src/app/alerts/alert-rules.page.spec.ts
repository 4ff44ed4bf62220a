import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import type { AlertRule, Permission } from '@tyto/contracts';
import { ruleOf } from '../../testing/alert-fixtures';
import { AuthStore } from '../auth/auth.store';
import { AlertRulesPage } from './alert-rules.page';

const RULES: AlertRule[] = [
  ruleOf({ type: 'cpu', warning: 80, critical: 95 }),
  ruleOf({ type: 'memory' }),
  ruleOf({ type: 'container', warning: null, critical: null, level: 'critical' }),
  ruleOf({ type: 'memory', agent_id: 'db-01', warning: 70, customized: true }),
];

describe(AlertRulesPage.name, () => {
  let permissions: Permission[];
  let backend: HttpTestingController;
  let fixture: ComponentFixture<AlertRulesPage>;

  const settle = async () => {
    // ngModel writes its value a tick after the view is checked.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      fixture.detectChanges();
    }
  };
  const el = () => fixture.nativeElement as HTMLElement;
  const row = (id: string) => el().querySelector(`[data-rule="${id}"]`) as HTMLElement;
  const type = (input: HTMLInputElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };

  async function render(): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthStore, useValue: { can: (p: Permission) => permissions.includes(p) } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AlertRulesPage);
    fixture.detectChanges();
    backend.expectOne('/api/v1/alerts/rules').flush({ rules: RULES });
    await settle();
  }

  afterEach(() => {
    fixture.destroy();
    backend.verify();
  });

  it('shows every rule, global and per host, read-only without alerts:manage', async () => {
    permissions = ['alerts:view'];
    await render();
    expect(el().querySelectorAll('[data-testid="rule-row"]')).toHaveLength(4);
    expect(row('memory:db-01').textContent).toContain('db-01');
    expect(row('memory').textContent).toContain('all hosts');
    const warning = row('cpu').querySelector<HTMLInputElement>('[data-testid="rule-warning"]');
    expect(warning?.value).toBe('80');
    expect(warning?.disabled).toBe(true);
    // State rules (a stopped container) have a level, no thresholds.
    expect(row('container').querySelector('[data-testid="rule-warning"]')).toBeNull();
    expect(el().querySelector('[data-testid="rule-save"]')).toBeNull();
    expect(el().querySelector('form.override')).toBeNull();
  });

  it('saves an edited threshold as numbers and shows the hub’s refusal', async () => {
    permissions = ['alerts:view', 'alerts:manage'];
    await render();
    const cpu = row('cpu');
    type(cpu.querySelector('[data-testid="rule-warning"]') as HTMLInputElement, '70');
    (cpu.querySelector('[data-testid="rule-save"]') as HTMLButtonElement).click();
    const save = backend.expectOne({ method: 'POST', url: '/api/v1/alerts/rules' });
    expect(save.request.body).toEqual({
      type: 'cpu',
      agent_id: null,
      enabled: true,
      for: 0,
      warning: 70,
      critical: 95,
      hysteresis: 5,
    });
    save.flush(
      { error: 'warning must not exceed critical', code: 'VALIDATION_FAILED', details: {} },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(el().querySelector('[data-testid="rules-error"]')?.textContent).toContain(
      'warning must not exceed critical',
    );
  });

  it('adds a per-host override and reloads the rules', async () => {
    permissions = ['alerts:view', 'alerts:manage'];
    await render();
    const form = el().querySelector('form.override') as HTMLFormElement;
    type(form.querySelector('input') as HTMLInputElement, ' web-02 ');
    await settle();
    form.dispatchEvent(new Event('submit'));
    const add = backend.expectOne({ method: 'POST', url: '/api/v1/alerts/rules' });
    expect(add.request.body).toEqual({ type: 'memory', agent_id: 'web-02' });
    add.flush(ruleOf({ agent_id: 'web-02', customized: true }));
    await settle();
    backend
      .expectOne('/api/v1/alerts/rules')
      .flush({ rules: [...RULES, ruleOf({ agent_id: 'web-02', customized: true })] });
    await settle();
    expect(row('memory:web-02')).not.toBeNull();
  });
});
