import type { OnDestroy } from '@angular/core';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { AlertBellStore } from './alert-bell.store';

@Component({
  selector: 'tyto-alert-bell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, RouterLink],
  template: `
    <a
      mat-button
      routerLink="/alerts"
      [attr.aria-label]="'Active alerts: ' + (store.active() ?? 0)"
      data-testid="alert-bell"
    >
      Alerts
      <span
        class="count"
        [class.firing]="(store.active() ?? 0) > 0"
        data-testid="alert-bell-count"
        >{{ store.active() ?? '–' }}</span
      >
    </a>
  `,
  styles: `
    .count {
      margin-left: 4px;
      font-weight: 600;
    }
    .firing {
      color: var(--tyto-critical, #c62828);
    }
  `,
})
export class AlertBellComponent implements OnDestroy {
  protected readonly store = inject(AlertBellStore);

  constructor() {
    this.store.start();
  }

  ngOnDestroy(): void {
    this.store.stop();
  }
}
