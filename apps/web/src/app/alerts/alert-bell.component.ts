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
    <!-- Named by its own text ("Alerts 3 active"), so what is seen is what is said, and speech
         control finds it by the word on it; on a phone the word is hidden only visually. -->
    <a mat-button routerLink="/alerts" data-testid="alert-bell">
      <span class="label">Alerts</span>
      <span
        class="count"
        [class.firing]="(store.active() ?? 0) > 0"
        data-testid="alert-bell-count"
        >{{ store.active() ?? '–' }}</span><span class="sr-only">{{
        store.active() === null ? '' : ' active'
      }}</span>
    </a>
  `,
  styles: `
    .count {
      margin-left: 4px;
      font-weight: 600;
    }
    /* On a phone the count alone, so the toolbar fits; the word stays for screen readers. */
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    @media (max-width: 599.98px) {
      .label {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
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
