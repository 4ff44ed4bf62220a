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
      [attr.aria-label]="
        store.active() === null ? 'Alerts' : 'Alerts ' + store.active() + ' active'
      "
      data-testid="alert-bell"
    >
      <span class="label">Alerts</span>
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
    /* On a phone the count alone (the link's label says what it counts), so the toolbar fits.
       The label starts with the visible words, so speech control ("click Alerts") finds it. */
    @media (max-width: 599.98px) {
      .label {
        display: none;
      }
      .count {
        margin-left: 0;
      }
      a {
        min-width: 0;
        padding: 0 8px;
      }
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
