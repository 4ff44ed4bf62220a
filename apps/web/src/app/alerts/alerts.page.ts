import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { PageEvent } from '@angular/material/paginator';
import { MatPaginatorModule } from '@angular/material/paginator';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { ALERT_LEVELS, ALERT_TYPES } from '@tyto/contracts';
import { CanDirective } from '../auth/can.directive';
import { AlertsStore, DEFAULT_FILTERS, type AlertFilters } from './alerts.store';

const COLUMNS = ['level', 'message', 'agent', 'created', 'state', 'actions'];
import { TimePipe } from '../shared/format/time.pipe';

@Component({
  selector: 'tyto-alerts-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AlertsStore],
  imports: [
    TimePipe,
    ReactiveFormsModule,
    RouterLink,
    CanDirective,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatPaginatorModule,
    MatSelectModule,
    MatTableModule,
  ],
  template: `
    <header class="head">
      <h1>Alerts</h1>
      <nav>
        <a
          mat-button
          routerLink="/alerts/rules"
          *tytoCan="'alerts:view'"
          data-testid="nav-alert-rules"
          >Rules</a
        >
        <a
          mat-button
          routerLink="/alerts/channels"
          *tytoCan="'alerts:manage'"
          data-testid="nav-alert-channels"
          >Channels</a
        >
      </nav>
    </header>
    <form class="filters" [formGroup]="filters" (ngSubmit)="apply()">
      <mat-button-toggle-group formControlName="state" (change)="apply()" data-testid="alert-state">
        <mat-button-toggle value="active">Active</mat-button-toggle>
        <mat-button-toggle value="resolved">History</mat-button-toggle>
        <mat-button-toggle value="all">All</mat-button-toggle>
      </mat-button-toggle-group>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Host</mat-label>
        <input matInput formControlName="agent_id" data-testid="alert-filter-host" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Level</mat-label>
        <mat-select formControlName="level">
          <mat-option value="">Any</mat-option>
          @for (l of levels; track l) {
            <mat-option [value]="l">{{ l }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Type</mat-label>
        <mat-select formControlName="type">
          <mat-option value="">Any</mat-option>
          @for (t of types; track t) {
            <mat-option [value]="t">{{ t }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <button mat-flat-button type="submit">Filter</button>
    </form>
    @if (store.error(); as error) {
      <p class="error" role="alert">{{ error }}</p>
    }
    <mat-card appearance="outlined">
      <table mat-table [dataSource]="store.alerts()" data-testid="alert-table">
        <ng-container matColumnDef="level">
          <th mat-header-cell *matHeaderCellDef>Level</th>
          <td mat-cell *matCellDef="let a" [class]="'level ' + a.level">{{ a.level }}</td>
        </ng-container>
        <ng-container matColumnDef="message">
          <th mat-header-cell *matHeaderCellDef>Alert</th>
          <td mat-cell *matCellDef="let a" data-testid="alert-message">{{ a.message }}</td>
        </ng-container>
        <ng-container matColumnDef="agent">
          <th mat-header-cell *matHeaderCellDef>Host</th>
          <td mat-cell *matCellDef="let a">{{ a.agent_id }}</td>
        </ng-container>
        <ng-container matColumnDef="created">
          <th mat-header-cell *matHeaderCellDef>Raised</th>
          <td mat-cell *matCellDef="let a">{{ a.created_at | time: 'datetime' }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef>State</th>
          <td mat-cell *matCellDef="let a" data-testid="alert-state-cell">
            @if (a.resolved_at) {
              resolved {{ a.resolved_at | time: 'time' }}
            } @else if (a.acknowledged) {
              acknowledged by {{ a.acknowledged_by }}
            } @else {
              active
            }
            @if (a.silenced) {
              (silenced)
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="actions">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let a">
            @if (!a.resolved_at && !a.acknowledged) {
              <button
                *tytoCan="'alerts:acknowledge'"
                mat-stroked-button
                type="button"
                (click)="store.acknowledge(a.id)"
                data-testid="alert-ack"
              >
                Acknowledge
              </button>
            }
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr
          mat-row
          *matRowDef="let a; columns: columns"
          data-testid="alert-row"
          [attr.data-type]="a.type"
        ></tr>
      </table>
      @if (store.alerts().length === 0) {
        <p class="empty" data-testid="alert-empty">No alerts match.</p>
      }
      <mat-paginator
        [length]="store.total()"
        [pageIndex]="store.page()"
        [pageSize]="store.pageSize"
        [hidePageSize]="true"
        (page)="page($event)"
      />
    </mat-card>

    <section *tytoCan="'alerts:view'" class="silences">
      <h2>Silences</h2>
      <form
        *tytoCan="'alerts:manage'"
        class="filters"
        [formGroup]="silence"
        (ngSubmit)="addSilence()"
        data-testid="silence-form"
      >
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Host (empty: all)</mat-label>
          <input matInput formControlName="agent_id" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Minutes</mat-label>
          <input matInput type="number" formControlName="minutes" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Reason</mat-label>
          <input matInput formControlName="reason" data-testid="silence-reason" />
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="silence.invalid">Silence</button>
      </form>
      <ul data-testid="silence-list">
        @for (s of store.silences(); track s.id) {
          <li>
            {{ s.agent_id ?? 'all hosts' }}: {{ s.starts_at | time: 'datetime' }} –
            {{ s.ends_at | time: 'datetime' }}, {{ s.reason }} ({{ s.created_by }})
            @if (s.active) {
              <strong>active</strong>
            }
            <button
              *tytoCan="'alerts:manage'"
              mat-button
              type="button"
              (click)="store.endSilence(s.id)"
            >
              Remove
            </button>
          </li>
        } @empty {
          <li>None.</li>
        }
      </ul>
    </section>
  `,
  styles: `
    /* The table scrolls inside its card on a phone, never the page. */
    mat-card {
      overflow-x: auto;
    }
    .head {
      display: flex;
      align-items: center;
      gap: 16px;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
    }
    table {
      width: 100%;
    }
    .level.critical {
      color: var(--tyto-critical);
      font-weight: 600;
    }
    .level.warning {
      color: var(--tyto-warn);
      font-weight: 600;
    }
    .empty {
      padding: 16px;
      margin: 0;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
    .silences {
      margin-top: 24px;
    }
  `,
})
export class AlertsPage {
  protected readonly store = inject(AlertsStore);
  protected readonly levels = ALERT_LEVELS;
  protected readonly types = ALERT_TYPES;
  protected readonly columns = COLUMNS;
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly filters = this.fb.group<AlertFilters>({ ...DEFAULT_FILTERS });
  protected readonly silence = this.fb.group({
    agent_id: '',
    minutes: [60, [Validators.required, Validators.min(1)]],
    reason: ['', Validators.required],
  });

  constructor() {
    void this.store.load();
    void this.store.loadSilences();
  }

  protected apply(): void {
    this.store.setFilters(this.filters.getRawValue());
  }

  protected page(event: PageEvent): void {
    this.store.showPage(event.pageIndex);
  }

  protected async addSilence(): Promise<void> {
    const v = this.silence.getRawValue();
    if (await this.store.silence(v.agent_id.trim() || null, v.minutes, v.reason.trim())) {
      this.silence.reset({ agent_id: '', minutes: 60, reason: '' });
    }
  }
}
