import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { By } from '@angular/platform-browser';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter, Router } from '@angular/router';
import type { Permission, ProcessInfo } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { HostSwitcherComponent } from '../fleet/host-switcher.component';
import { ProcessesPage } from './processes.page';

const proc = (pid: number, name: string): ProcessInfo => ({
  pid,
  ppid: 1,
  name,
  cmdline: `/usr/bin/${name}`,
  user: 'root',
  state: 'S',
  cpu: 1,
  memory: 1000,
  threads: 1,
  nice: 0,
  startTime: '2026-01-01T00:00:00.000Z',
});

describe(ProcessesPage.name, () => {
  let backend: HttpTestingController;
  let fixture: ComponentFixture<ProcessesPage>;

  // A navigation, then the table's first (timer) tick: a few turns of the event loop.
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      fixture.detectChanges();
    }
  };
  const el = () => fixture.nativeElement as HTMLElement;
  const answerList = (agentId: string, processes: ProcessInfo[]) => {
    const req = backend.expectOne(
      (r) => r.url === '/api/v1/processes' && r.params.get('agent_id') === agentId,
    );
    req.flush({ agent_id: agentId, total: processes.length, processes });
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideRouter([{ path: 'processes', component: ProcessesPage }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: AuthStore,
          useValue: { can: (p: Permission) => p === 'agents:view' || p === 'processes:view' },
        },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    await TestBed.inject(Router).navigateByUrl('/processes?agent_id=web-01');
    fixture = TestBed.createComponent(ProcessesPage);
    fixture.detectChanges();
    backend.expectOne('/api/v1/agents').flush({ agents: [] });
    await settle();
  });
  afterEach(() => fixture.destroy());

  it('shows the host the link names, and follows the host switcher to another', async () => {
    answerList('web-01', [proc(10, 'nginx')]);
    await settle();
    expect(el().querySelector('h1')?.textContent).toContain('web-01');
    expect(el().querySelector('[data-testid="process-count"]')?.textContent).toContain('1 of 1');

    fixture.debugElement
      .query(By.directive(HostSwitcherComponent))
      .componentInstance.picked.emit('local');
    await settle();
    answerList('local', [proc(20, 'postgres'), proc(30, 'node')]);
    await settle();
    expect(TestBed.inject(Router).url).toBe('/processes');
    expect(el().querySelector('h1')?.textContent).toContain('local');
    expect(el().querySelector('[data-testid="process-count"]')?.textContent).toContain('2 of 2');
    expect(el().textContent).not.toContain('nginx');
  });

  it('says why a remote host has no list (its agent is offline)', async () => {
    backend
      .expectOne((r) => r.url === '/api/v1/processes')
      .flush(
        { error: "agent 'web-01' is not connected", code: 'AGENT_OFFLINE', details: {} },
        { status: 503, statusText: 'Service Unavailable' },
      );
    await settle();
    expect(el().querySelector('[role="alert"]')?.textContent).toContain('not connected');
  });
});
