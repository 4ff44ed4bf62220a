import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { StreamStatus } from '../../core/metrics-stream';

// The banner over a live page while its metrics stream is down: a warning while it reconnects,
// an error with a Reconnect button once it gave up. Nothing while it connects or is live.
@Component({
  selector: 'tyto-stream-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    @switch (status()) {
      @case ('reconnecting') {
        <div class="banner warn" role="status" data-testid="stream-status">
          Connection to the hub lost. Reconnecting…
        </div>
      }
      @case ('stopped') {
        <div class="banner error" role="alert" data-testid="stream-status">
          Live updates stopped.
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
      align-items: center;
      gap: 8px;
    }
    .warn {
      background: #fff3e0;
      color: #8a4b00;
    }
    .error {
      background: #ffebee;
      color: #8e1b1b;
    }
  `,
})
export class StreamStatusComponent {
  readonly status = input.required<StreamStatus>();
  readonly reconnect = output();
}
