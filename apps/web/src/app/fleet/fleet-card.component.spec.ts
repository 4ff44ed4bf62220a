import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { FleetHost } from './fleet-model';
import { FleetCardComponent } from './fleet-card.component';

const NOW = Date.parse('2026-01-15T11:00:00.000Z');

function host(over: Partial<FleetHost>): FleetHost {
  return {
    id: 'web-1',
    name: 'Web one',
    hostname: 'web1.lan',
    status: 'online',
    cpu: 42.5,
    memory: 60,
    busiestDisk: { mountpoint: '/var', usedPercent: 91 },
    network: { rxRate: 2048, txRate: 1024 },
    lastSample: null,
    spark: [
      { time: NOW - 120_000, cpu: 10 },
      { time: NOW, cpu: 50 },
    ],
    alerts: null,
    ...over,
  };
}

function render(h: FleetHost): HTMLElement {
  TestBed.configureTestingModule({ providers: [provideRouter([])] });
  const fixture = TestBed.createComponent(FleetCardComponent);
  fixture.componentRef.setInput('host', h);
  fixture.componentRef.setInput('now', NOW);
  fixture.detectChanges();
  return fixture.nativeElement as HTMLElement;
}

const text = (el: HTMLElement, id: string) =>
  el.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();

describe(FleetCardComponent.name, () => {
  it('shows an online host’s figures and links to its host page', () => {
    const el = render(host({}));
    expect(text(el, 'fleet-card-status')).toBe('Online');
    expect(text(el, 'fleet-card-cpu')).toBe('42.5 %');
    expect(text(el, 'fleet-card-disk')).toBe('91.0 %');
    expect(el.textContent).toContain('Fullest disk (/var)');
    expect(text(el, 'fleet-card-network')).toBe('↓ 2.0 KiB/s ↑ 1.0 KiB/s');
    expect(el.querySelector('.spark .line')?.getAttribute('d')).toMatch(/^M0\.0,/);
    expect(el.querySelector('a')?.getAttribute('href')).toBe('/host/web-1');
  });

  it('counts the host’s active alerts in words, marked when there are any', () => {
    expect(render(host({})).querySelector('[data-testid="fleet-card-alerts"]')).toBeNull();
    TestBed.resetTestingModule();
    let el = render(host({ alerts: 0 }));
    expect(text(el, 'fleet-card-alerts')).toBe('0 alerts');
    expect(el.querySelector('[data-testid="fleet-card-alerts"]')?.classList).not.toContain(
      'firing',
    );
    TestBed.resetTestingModule();
    el = render(host({ alerts: 1 }));
    expect(text(el, 'fleet-card-alerts')).toBe('1 alert');
    expect(el.querySelector('[data-testid="fleet-card-alerts"]')?.classList).toContain('firing');
  });

  it.each([
    ['offline', 'Offline'],
    ['pending', 'Pending'],
    ['revoked', 'Revoked'],
  ] as const)('marks a %s host in words and in its outline', (status, label) => {
    const figures = status === 'offline' ? {} : { cpu: null, memory: null, spark: [] };
    const el = render(host({ status, ...figures }));
    const card = el.querySelector('[data-testid="fleet-card"]');
    expect(card?.classList).toContain(status);
    expect(card?.getAttribute('data-status')).toBe(status);
    expect(text(el, 'fleet-card-status')).toBe(label);
    // The link is named by the host's name alone; the status is the words beside it.
    expect(el.querySelector('a')?.textContent?.trim()).toBe('Web one');
    if (status === 'offline') expect(text(el, 'fleet-card-cpu')).toBe('42.5 %');
    else expect(text(el, 'fleet-card-empty')).toBeTruthy();
  });
});
