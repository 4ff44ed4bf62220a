import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import type { MatSelectChange } from '@angular/material/select';
import { MatSelectModule } from '@angular/material/select';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { HostSwitcherComponent } from '../fleet/host-switcher.component';
import { HostStore } from './host.store';

// Sampling intervals offered by the control, in seconds. The hub accepts any 1–3600; these are
// the ones worth choosing between, plus whatever the hub currently uses.
export const INTERVAL_CHOICES = [1, 2, 5, 10, 15, 30, 60, 300];

export function intervalChoices(current: number | null): number[] {
  return current === null || INTERVAL_CHOICES.includes(current)
    ? INTERVAL_CHOICES
    : [...INTERVAL_CHOICES, current].sort((a, b) => a - b);
}

export function intervalLabel(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${seconds / 60} min`;
}

// Frame of one host: live and history tabs, and the sampling interval the hub uses for it.
@Component({
  selector: 'tyto-host-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [HostStore],
  imports: [
    MatFormFieldModule,
    MatSelectModule,
    MatTabsModule,
    RouterLink,
    RouterLinkActive,
    RouterOutlet,
    HostSwitcherComponent,
  ],
  template: `
    <div class="bar">
      <tyto-host-switcher [agentId]="agentId()" />
      <nav mat-tab-nav-bar [tabPanel]="panel" mat-stretch-tabs="false" aria-label="Host views">
        <a
          mat-tab-link
          routerLink="."
          routerLinkActive
          #live="routerLinkActive"
          [routerLinkActiveOptions]="{ exact: true }"
          [active]="live.isActive"
          data-testid="host-tab-live"
        >
          Live
        </a>
        <a
          mat-tab-link
          routerLink="history"
          routerLinkActive
          #history="routerLinkActive"
          [active]="history.isActive"
          data-testid="host-tab-history"
        >
          History
        </a>
      </nav>
      <span class="spacer"></span>
      @if (store.refreshInterval(); as interval) {
        @if (canManageSettings()) {
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="interval">
            <mat-label>Sample every</mat-label>
            <mat-select
              data-testid="refresh-interval"
              [value]="interval"
              [disabled]="store.intervalSaving()"
              (selectionChange)="setInterval($event)"
            >
              @for (choice of choices(interval); track choice) {
                <mat-option [value]="choice">{{ label(choice) }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        } @else {
          <span class="meta" data-testid="refresh-interval-text">
            Sampled every {{ label(interval) }}
          </span>
        }
      }
    </div>
    <mat-tab-nav-panel #panel>
      <router-outlet />
    </mat-tab-nav-panel>
  `,
  styles: `
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
      margin-bottom: 16px;
    }
    .spacer {
      flex: 1;
    }
    .interval {
      width: 180px;
    }
    .meta {
      color: var(--tyto-muted);
      font-size: 14px;
    }
  `,
})
export class HostPage {
  // Route parameter (withComponentInputBinding).
  readonly agentId = input(LOCAL_AGENT_ID);

  protected readonly store = inject(HostStore);
  private readonly auth = inject(AuthStore);

  protected readonly choices = intervalChoices;
  protected readonly label = intervalLabel;

  constructor() {
    // A signal rather than a value: the router binds the parameter after construction, and keeps
    // this page when only the agent in the URL changes.
    this.store.followAgent(this.agentId);
    this.store.loadSettings();
  }

  protected canManageSettings(): boolean {
    return this.auth.can('settings:manage');
  }

  protected setInterval(change: MatSelectChange<number>): void {
    void this.store.setRefreshInterval(change.value);
  }
}
