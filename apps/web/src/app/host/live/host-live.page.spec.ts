import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { MetricsSnapshot, Permission } from '@tyto/contracts';
import type { FakeEventSource } from '../../../testing/fake-event-source';
import { fakeEventSources } from '../../../testing/fake-event-source';
import { snapshotSample } from '../../../testing/metrics-sample';
import { AuthStore } from '../../auth/auth.store';
import { EVENT_SOURCE_FACTORY } from '../../core/metrics-stream';
import { HostStore } from '../host.store';
import { HostLivePage } from './host-live.page';
import { tcpStates } from './host-live.store';

describe(HostLivePage.name, () => {
  let sources: FakeEventSource[];
  let permissions: Permission[];
  const exportMetrics = jest.fn();

  beforeEach(() => {
    sources = [];
    permissions = ['dashboard:view'];
    exportMetrics.mockReset();
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: fakeEventSources(sources) },
        { provide: AuthStore, useValue: { can: (p: Permission) => permissions.includes(p) } },
        {
          provide: HostStore,
          useValue: {
            agentId: signal('local'),
            exporting: signal(null),
            snapshotExportError: signal(null),
            export: exportMetrics,
          },
        },
      ],
    });
  });

  function render(snapshot: unknown): { fixture: ComponentFixture<HostLivePage>; el: HTMLElement } {
    const fixture = TestBed.createComponent(HostLivePage);
    fixture.detectChanges();
    sources[0].emit('open', '', 1);
    sources[0].emit('metrics', JSON.stringify(snapshot));
    fixture.detectChanges();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  function byTestId(el: HTMLElement, id: string): HTMLElement {
    const found = el.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    if (!found) throw new Error(`no [data-testid="${id}"]`);
    return found;
  }

  it('waits for the first sample of the agent', () => {
    const fixture = TestBed.createComponent(HostLivePage);
    fixture.detectChanges();
    expect(sources[0].url).toBe('/api/v1/stream?agent_id=local');
    expect(byTestId(fixture.nativeElement as HTMLElement, 'host-loading')).toBeTruthy();
  });

  it('shows the host, its cores with clocks, and the top processes', () => {
    const { el } = render(snapshotSample());

    expect(byTestId(el, 'hostname').textContent).toBe('test-host');
    expect(
      Array.from(el.querySelectorAll('[data-testid="core-frequency"]')).map((e) => e.textContent),
    ).toEqual(['2.4', '–']);
    const cpuTop = byTestId(el, 'processes-by-cpu');
    expect(cpuTop.querySelectorAll('[data-testid="table-row"]')).toHaveLength(2);
    expect(cpuTop.querySelector('[data-column="name"]')?.textContent?.trim()).toBe('node');
    expect(byTestId(el, 'section-processes').textContent).toContain('120 total · 2 running');
    expect(
      Array.from(byTestId(el, 'tcp-states').querySelectorAll('li')).map((li) =>
        li.textContent?.trim(),
      ),
    ).toEqual(['ESTABLISHED 2']);
    expect(byTestId(el, 'section-network').textContent).toContain(
      '2 TCP connections · 1 listening sockets',
    );
  });

  it('greys the numbers and says how old they are when samples stop coming', () => {
    jest.useFakeTimers();
    try {
      const { fixture, el } = render(snapshotSample());
      expect(el.querySelector('[data-testid="stream-status"]')).toBeNull();
      jest.advanceTimersByTime(20_000);
      fixture.detectChanges();
      expect(byTestId(el, 'stream-status').textContent).toContain('No new data. Last sample');
      expect(byTestId(el, 'host-live-grid').classList).toContain('dimmed');
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives the reason for each section the host cannot provide', () => {
    const { el } = render(snapshotSample());

    const reasons = ['temperature', 'gpu', 'docker', 'systemd'].map((section) =>
      byTestId(byTestId(el, `section-${section}`), 'section-unavailable').textContent?.trim(),
    );
    expect(reasons).toEqual([
      'Not available on this host: no hwmon sensors',
      'Not available on this host: no GPU found',
      'Not available on this host: Docker socket not found',
      'Not available on this host: systemctl not found',
    ]);
  });

  it('lists containers, services, sensors and GPUs where the host has them', () => {
    const snapshot: MetricsSnapshot = snapshotSample({
      temperature: {
        available: true,
        sensors: [{ name: 'Package id 0', value: 92, high: 80, critical: 100 }],
      },
      gpu: {
        available: true,
        gpus: [
          {
            index: 0,
            name: 'NVIDIA H200',
            vendor: 'nvidia',
            utilization: 45,
            memoryUsed: 4 * 1024 ** 3,
            memoryTotal: 16 * 1024 ** 3,
            temperature: 65,
            powerWatts: 220,
          },
        ],
      },
      docker: {
        available: true,
        containers: [
          {
            id: 'abc',
            name: 'nginx',
            image: 'nginx:1.27',
            status: 'Up 2 hours',
            state: 'running',
            health: null,
            restarts: 0,
            cpu: 0.5,
            memory: 50_000_000,
            memoryLimit: 0,
            networkRx: 0,
            networkTx: 0,
            blockRead: 0,
            blockWrite: 0,
          },
        ],
      },
      systemd: {
        available: true,
        services: [
          {
            name: 'nginx.service',
            description: 'nginx',
            load: 'loaded',
            state: 'failed',
            subState: 'failed',
          },
        ],
      },
    });
    const { el } = render(snapshot);

    const sensor = byTestId(el, 'section-temperature').querySelector('[data-column="value"]');
    expect(sensor?.textContent?.trim()).toBe('92.0 °C');
    expect(sensor?.classList).toContain('warn');
    expect(byTestId(el, 'gpu-card').textContent).toContain('NVIDIA H200');
    expect(
      byTestId(el, 'docker-containers').querySelectorAll('[data-testid="table-row"]'),
    ).toHaveLength(1);
    const state = byTestId(el, 'systemd-services').querySelector('[data-column="state"]');
    expect(state?.classList).toContain('critical');
  });

  it('shows a malformed optional section as unavailable and keeps the rest live', () => {
    const { el } = render({ ...snapshotSample(), gpu: { gpus: 'garbled' } });

    expect(byTestId(el, 'hostname').textContent).toBe('test-host');
    expect(byTestId(byTestId(el, 'section-gpu'), 'section-unavailable').textContent).toContain(
      'does not understand',
    );
  });

  it('keeps the systemd services shown when a live sample leaves them out as unchanged', () => {
    const services: MetricsSnapshot['systemd'] = {
      available: true,
      services: [
        {
          name: 'nginx.service',
          description: 'nginx',
          load: 'loaded',
          state: 'active',
          subState: 'running',
        },
      ],
    };
    const { fixture, el } = render(snapshotSample({ systemd: services }));
    const { systemd: _systemd, ...live } = snapshotSample({
      system: { ...snapshotSample().system, hostname: 'renamed-host' },
    });
    sources[0].emit('metrics', JSON.stringify(live));
    fixture.detectChanges();

    expect(byTestId(el, 'hostname').textContent).toBe('renamed-host');
    const rows = byTestId(el, 'systemd-services').querySelectorAll('[data-testid="table-row"]');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('nginx.service');
    expect(
      byTestId(el, 'section-systemd').querySelector('[data-testid="section-unavailable"]'),
    ).toBeNull();
  });

  it('hides the snapshot export without metrics:export', () => {
    const { el } = render(snapshotSample());
    expect(el.querySelector('[data-testid="export-snapshot-csv"]')).toBeNull();
  });

  it('exports the snapshot with metrics:export', () => {
    permissions = ['dashboard:view', 'metrics:export'];
    const { el } = render(snapshotSample());
    byTestId(el, 'export-snapshot-csv').click();

    expect(exportMetrics).toHaveBeenCalledWith('csv');
  });
});

describe(tcpStates.name, () => {
  it('lists the connection states busiest first, ties by name, without LISTEN', () => {
    expect(tcpStates({ TIME_WAIT: 3, LISTEN: 8, ESTABLISHED: 8, CLOSE_WAIT: 8 })).toEqual([
      { state: 'CLOSE_WAIT', count: 8 },
      { state: 'ESTABLISHED', count: 8 },
      { state: 'TIME_WAIT', count: 3 },
    ]);
  });
});
