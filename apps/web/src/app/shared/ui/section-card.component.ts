import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';

// A titled card for one section of a host's metrics. Sections the host cannot provide (no
// sensors, no Docker socket) say why instead of showing an empty card.
@Component({
  selector: 'tyto-section-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCardModule],
  template: `
    <mat-card appearance="outlined">
      <mat-card-header>
        <mat-card-title>{{ heading() }}</mat-card-title>
        @if (available() && subtitle()) {
          <mat-card-subtitle>{{ subtitle() }}</mat-card-subtitle>
        }
      </mat-card-header>
      <mat-card-content>
        @if (available()) {
          <ng-content />
        } @else {
          <p class="unavailable" data-testid="section-unavailable">
            Not available on this host{{ reason() ? ': ' + reason() : '.' }}
          </p>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    :host {
      display: block;
    }
    mat-card {
      height: 100%;
    }
    mat-card-content {
      padding-top: 8px;
    }
    .unavailable {
      margin: 0;
      color: var(--tyto-muted);
      font-style: italic;
    }
  `,
})
export class SectionCardComponent {
  readonly heading = input.required<string>();
  readonly subtitle = input('');
  readonly available = input(true);
  readonly reason = input<string | undefined>(undefined);
}
