import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import type { Agent, Permission } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { AgentsPage } from './agents.page';

function agent(id: string, status: Agent['status'], name: string): Agent {
  return {
    id,
    name,
    hostname: null,
    status,
    architecture: null,
    os: null,
    version: '0.1.0',
    last_seen: null,
    registered_at: '2026-01-15T10:00:00.000Z',
    certificate_expires_at: '2026-04-15T10:00:00.000Z',
    certificate_serial: 'ab',
    revoked_at: null,
    address: '10.0.0.5',
    builtin: id === 'local',
  };
}

describe(AgentsPage.name, () => {
  let permissions: Permission[];
  let backend: HttpTestingController;
  let fixture: ComponentFixture<AgentsPage>;

  async function render(): Promise<HTMLElement> {
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
    fixture = TestBed.createComponent(AgentsPage);
    fixture.detectChanges();
    backend
      .expectOne('/api/v1/agents')
      .flush({ agents: [agent('local', 'online', 'hub'), agent('web-1', 'online', 'Web one')] });
    backend.expectOne('/api/v1/agents/pending').flush({ pending: [] });
    backend
      .expectOne('/api/v1/agents/ca')
      .flush({ fingerprint: 'sha256:' + 'a'.repeat(64), certificate: '' });
    await settle();
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  // Not whenStable: the page's refresh timer keeps the app from ever being stable.
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    fixture.detectChanges();
  }

  afterEach(() => fixture.destroy());

  it('shows agents and the CA fingerprint, without actions for agents:view alone', async () => {
    permissions = ['agents:view'];
    const el = await render();
    expect(el.querySelectorAll('[data-testid="agent-row"]')).toHaveLength(2);
    expect(el.querySelector('[data-testid="ca-fingerprint"]')?.textContent).toContain('sha256:aaa');
    expect(el.querySelector('[data-testid="revoke"]')).toBeNull();
    expect(el.querySelector('[data-testid="delete"]')).toBeNull();
    expect(el.querySelector('[data-testid="add-host"]')).toBeNull();
  });

  it('revokes only after a confirmation that names the host; local has no actions', async () => {
    permissions = ['agents:view', 'agents:manage'];
    const el = await render();
    const local = el.querySelector('[data-agent-id="local"]');
    expect(local?.querySelector('[data-testid="revoke"]')).toBeNull();

    const row = el.querySelector('[data-agent-id="web-1"]');
    (row?.querySelector('[data-testid="revoke"]') as HTMLButtonElement).click();
    fixture.detectChanges();
    await settle();
    const message = document.querySelector('[data-testid="confirm-message"]');
    expect(message?.textContent).toContain('Web one (web-1)');
    backend.expectNone('/api/v1/agents/web-1/revoke');

    (document.querySelector('[data-testid="confirm-ok"]') as HTMLButtonElement).click();
    fixture.detectChanges();
    await settle();
    backend
      .expectOne({ method: 'POST', url: '/api/v1/agents/web-1/revoke' })
      .flush(agent('web-1', 'revoked', 'Web one'));
    await settle();
    fixture.detectChanges();
    expect(row?.querySelector('[data-testid="agent-status"]')?.textContent?.trim()).toBe('Revoked');
  });
});
