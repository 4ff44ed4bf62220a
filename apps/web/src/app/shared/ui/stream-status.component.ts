import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { StreamStatus } from '../../core/metrics-stream';
import { formatAgo } from '../format/format';

// The banner over a live page while its numbers are not current: a warning while the stream
// reconnects or while no sample arrived for two intervals (it stays until one does), an error with
// a Reconnect button once the stream gave up. Nothing while data flows.
@Component({
  selector: 'tyto-stream-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    @switch (state()) {
      @case ('reconnecting') {
        <div class="banner warn" role="status" data-testid="stream-status">
          Connection to the hub lost. Reconnecting…{{ since() }}
        </div>
      }
      @case ('stale') {
        <div class="banner warn" role="status" data-testid="stream-status">
          No new data.{{ since() }}
        </div>
      }
      @case ('stopped') {
        <div class="banner error" role="alert" data-testid="stream-status">
          Live updates stopped.{{ since() }}
          <button mat-button type="button" (click)="reconnect.emit()">Reconnect</button>
        </div>
      }
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .banner {
      padding: 8px 16px;
      border-radius: 8px;
      margin-bottom: 16px;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
    }
    .warn {
      background: var(--tyto-banner-warn-bg);
      color: var(--tyto-banner-warn-fg);
    }
    .error {
      background: var(--tyto-banner-error-bg);
      color: var(--tyto-banner-error-fg);
    }
  `,
})
export class StreamStatusComponent {
  readonly status = input.required<StreamStatus>();
  // No sample for two intervals although the stream looks open (a hub that stopped sending).
  readonly stale = input(false);
  // Age of the newest sample on screen, if there is one.
  readonly ageMs = input<number | null>(null);
  readonly reconnect = output();

  protected readonly state = computed(() => {
    const status = this.status();
    if (status === 'reconnecting' || status === 'stopped') return status;
    return this.stale() ? 'stale' : 'ok';
  });
  protected readonly since = computed(() => {
    const age = this.ageMs();
    return age === null ? '' : ` Last sample ${formatAgo(age)}.`;
  });
}
