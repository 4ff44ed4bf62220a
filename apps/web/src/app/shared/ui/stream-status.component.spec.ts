import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { StreamStatus } from '../../core/metrics-stream';
import { StreamStatusComponent } from './stream-status.component';

@Component({
  imports: [StreamStatusComponent],
  template: `<tyto-stream-status
    [status]="status"
    [stale]="stale"
    [ageMs]="ageMs"
    (reconnect)="reconnects = reconnects + 1"
  />`,
})
class HostOfStatus {
  status: StreamStatus = 'connecting';
  stale = false;
  ageMs: number | null = null;
  reconnects = 0;
}

describe(StreamStatusComponent.name, () => {
  function render(
    status: StreamStatus,
    stale = false,
    ageMs: number | null = null,
  ): { host: HostOfStatus; el: HTMLElement } {
    const fixture = TestBed.createComponent(HostOfStatus);
    fixture.componentInstance.status = status;
    fixture.componentInstance.stale = stale;
    fixture.componentInstance.ageMs = ageMs;
    fixture.detectChanges();
    return { host: fixture.componentInstance, el: fixture.nativeElement as HTMLElement };
  }

  it.each<StreamStatus>(['connecting', 'live'])('shows nothing while %s', (status) => {
    expect(render(status).el.querySelector('[data-testid="stream-status"]')).toBeNull();
  });

  it('warns while reconnecting', () => {
    const banner = render('reconnecting').el.querySelector('[data-testid="stream-status"]');
    expect(banner?.getAttribute('role')).toBe('status');
    expect(banner?.textContent?.trim()).toBe('Connection to the hub lost. Reconnecting…');
  });

  it('says when the newest sample is older than two intervals, though the stream is open', () => {
    const banner = render('live', true, 42_000).el.querySelector('[data-testid="stream-status"]');
    expect(banner?.textContent?.trim()).toBe('No new data. Last sample 42 s ago.');
  });

  it('keeps the age of the numbers on screen while reconnecting', () => {
    const banner = render('reconnecting', true, 65_000).el.querySelector(
      '[data-testid="stream-status"]',
    );
    expect(banner?.textContent?.trim()).toBe(
      'Connection to the hub lost. Reconnecting… Last sample 65 s ago.',
    );
  });

  it('offers to reconnect once stopped', () => {
    const { host, el } = render('stopped');
    const banner = el.querySelector('[data-testid="stream-status"]');
    expect(banner?.getAttribute('role')).toBe('alert');
    banner?.querySelector('button')?.click();
    expect(host.reconnects).toBe(1);
  });
});
