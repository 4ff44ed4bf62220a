import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';

// A centred indeterminate progress bar with a line saying what the page waits for. The page
// puts its own data-testid on the element.
@Component({
  selector: 'tyto-loading-block',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressBarModule],
  template: `
    <mat-progress-bar mode="indeterminate" />
    <p>{{ message() }}</p>
  `,
  styles: `
    :host {
      display: block;
      max-width: 420px;
      margin: 64px auto;
      text-align: center;
    }
  `,
})
export class LoadingBlockComponent {
  readonly message = input.required<string>();
}
