import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { CanDirective } from '../auth/can.directive';
import { LoadingBlockComponent } from '../shared/ui/loading-block.component';
import { StreamStatusComponent } from '../shared/ui/stream-status.component';
import { FleetCardComponent } from './fleet-card.component';
import type { FleetSortKey, FleetStatusFilter } from './fleet-model';
import { FleetStore } from './fleet.store';

const SORTS: { key: FleetSortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status (attention first)' },
  { key: 'cpu', label: 'CPU (highest first)' },
  { key: 'memory', label: 'Memory (highest first)' },
  { key: 'disk', label: 'Busiest disk (fullest first)' },
];
const STATUSES: { key: FleetStatusFilter; label: string }[] = [
  { key: 'all', label: 'All' },
  { key: 'online', label: 'Online' },
  { key: 'offline', label: 'Offline' },
  { key: 'pending', label: 'Pending' },
  { key: 'revoked', label: 'Revoked' },
];

// The start page: one card per host of the fleet, `local` (the hub itself) among them.
@Component({
  selector: 'tyto-fleet-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [FleetStore],
  imports: [
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    RouterLink,
    CanDirective,
    FleetCardComponent,
    LoadingBlockComponent,
    StreamStatusComponent,
  ],
  template: `
    <tyto-stream-status [status]="store.status()" (reconnect)="store.connect()" />
    <header class="top">
      <h1>Fleet</h1>
      <span class="meta" data-testid="fleet-summary">{{ summary() }}</span>
      <span class="spacer"></span>
      <a
        *tytoCan="'agents:view'"
        mat-stroked-button
        routerLink="/agents"
        data-testid="fleet-agents-link"
      >
        Manage agents
      </a>
    </header>
    <div class="controls">
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>Filter by name</mat-label>
        <input
          matInput
          data-testid="fleet-filter"
          [value]="store.text()"
          (input)="store.text.set($any($event.target).value)"
        />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Status</mat-label>
        <mat-select
          data-testid="fleet-status-filter"
          [value]="store.statusFilter()"
          (selectionChange)="store.statusFilter.set($event.value)"
        >
          @for (s of statuses; track s.key) {
            <mat-option [value]="s.key">{{ s.label }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Sort by</mat-label>
        <mat-select
          data-testid="fleet-sort"
          [value]="store.sort()"
          (selectionChange)="store.sort.set($event.value)"
        >
          @for (s of sorts; track s.key) {
            <mat-option [value]="s.key">{{ s.label }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
    </div>
    @if (store.loading()) {
      <tyto-loading-block message="Waiting for the first samples…" />
    } @else if (store.hosts().length === 0) {
      <p class="meta" data-testid="fleet-none">No host matches the filter.</p>
    } @else {
      <div class="grid" data-testid="fleet-grid">
        @for (host of store.hosts(); track host.id) {
          <tyto-fleet-card [host]="host" [now]="now()" />
        }
      </div>
    }
  `,
  styles: `
    .top {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 8px 16px;
    }
    h1 {
      margin: 0;
    }
    .spacer {
      flex: 1;
    }
    .meta {
      opacity: 0.75;
      font-size: 14px;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 12px;
      margin: 16px 0;
    }
    .controls mat-form-field {
      width: 200px;
    }
    .controls .search {
      width: 240px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
      gap: 12px;
    }
    @media (max-width: 599px) {
      .controls mat-form-field,
      .controls .search {
        width: 100%;
      }
    }
  `,
})
export class FleetPage {
  protected readonly store = inject(FleetStore);
  protected readonly sorts = SORTS;
  protected readonly statuses = STATUSES;

  // Re-read on every change of the cards (each frame), so the sparklines slide with time.
  protected readonly now = computed(() => (this.store.hosts(), Date.now()));
  protected readonly summary = computed(() => {
    const c = this.store.counts();
    const parts = [`${this.store.total()} hosts`, `${c.online} online`];
    if (c.offline) parts.push(`${c.offline} offline`);
    if (c.pending) parts.push(`${c.pending} pending`);
    if (c.revoked) parts.push(`${c.revoked} revoked`);
    return parts.join(' · ');
  });

  constructor() {
    this.store.connect();
  }
}
