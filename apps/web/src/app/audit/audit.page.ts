import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormControl, NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { provideNativeDateAdapter } from '@angular/material/core';
import { MatDatepickerModule } from '@angular/material/datepicker';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { PageEvent } from '@angular/material/paginator';
import { MatPaginatorModule } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { AuditEntry } from '@tyto/contracts';
import { AUDIT_OUTCOMES } from '@tyto/contracts';
import type { AuditFilters } from './audit.store';
import { AuditStore, NO_FILTERS } from './audit.store';
import { TimePipe } from '../shared/format/time.pipe';

const COLUMNS = ['timestamp', 'actor', 'action', 'target', 'outcome', 'ip', 'details'];

@Component({
  selector: 'tyto-audit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AuditStore, provideNativeDateAdapter()],
  imports: [
    MatDatepickerModule,
    TimePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
  ],
  template: `
    <h1>Audit log</h1>
    <form class="filters" [formGroup]="filters" (ngSubmit)="search()" data-testid="audit-filters">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Actor</mat-label>
        <input matInput formControlName="actor" data-testid="audit-filter-actor" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Action</mat-label>
        <input
          matInput
          formControlName="action"
          placeholder="user.* or auth.login"
          data-testid="audit-filter-action"
        />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Outcome</mat-label>
        <mat-select formControlName="outcome" data-testid="audit-filter-outcome">
          <mat-option value="">Any</mat-option>
          @for (outcome of outcomes; track outcome) {
            <mat-option [value]="outcome">{{ outcome }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="dates">
        <mat-label>Between</mat-label>
        <mat-date-range-input [rangePicker]="picker">
          <input
            matStartDate
            [formControl]="fromDate"
            placeholder="First day"
            data-testid="audit-filter-from"
          />
          <input
            matEndDate
            [formControl]="toDate"
            placeholder="Last day"
            data-testid="audit-filter-to"
          />
        </mat-date-range-input>
        <mat-datepicker-toggle matIconSuffix [for]="picker" />
        <mat-date-range-picker #picker />
      </mat-form-field>
      <div class="buttons">
        <button mat-flat-button type="submit" data-testid="audit-search">Filter</button>
        <button mat-button type="button" (click)="clear()">Clear</button>
      </div>
    </form>
    @if (store.error(); as error) {
      <p class="error" role="alert" data-testid="audit-error">{{ error }}</p>
    }

    <mat-card appearance="outlined">
      <div class="progress">
        @if (store.loading()) {
          <mat-progress-bar mode="indeterminate" />
        }
      </div>
      <div class="scroll">
        <table mat-table [dataSource]="store.entries()" data-testid="audit-table">
          <ng-container matColumnDef="timestamp">
            <th mat-header-cell *matHeaderCellDef>Time</th>
            <td mat-cell *matCellDef="let entry" class="nowrap">
              {{ entry.timestamp | time: 'full' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="actor">
            <th mat-header-cell *matHeaderCellDef>Actor</th>
            <td mat-cell *matCellDef="let entry">{{ entry.actor_username ?? '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="action">
            <th mat-header-cell *matHeaderCellDef>Action</th>
            <td mat-cell *matCellDef="let entry" class="code" data-testid="audit-action">
              {{ entry.action }}
            </td>
          </ng-container>
          <ng-container matColumnDef="target">
            <th mat-header-cell *matHeaderCellDef>Target</th>
            <td mat-cell *matCellDef="let entry" class="code">{{ entry.target ?? '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="outcome">
            <th mat-header-cell *matHeaderCellDef>Outcome</th>
            <td mat-cell *matCellDef="let entry" [class.failure]="entry.outcome === 'failure'">
              {{ entry.outcome }} ({{ entry.status }})
            </td>
          </ng-container>
          <ng-container matColumnDef="ip">
            <th mat-header-cell *matHeaderCellDef>Address</th>
            <td mat-cell *matCellDef="let entry" class="code">{{ entry.ip ?? '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="details">
            <th mat-header-cell *matHeaderCellDef>Details</th>
            <td mat-cell *matCellDef="let entry" class="code details" [title]="details(entry)">
              {{ details(entry) }}
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let entry; columns: columns" data-testid="audit-row"></tr>
        </table>
      </div>
      @if (!store.loading() && store.entries().length === 0) {
        <p class="empty" data-testid="audit-empty">No entries match these filters.</p>
      }
      <mat-paginator
        [length]="store.total()"
        [pageIndex]="store.pageIndex()"
        [pageSize]="store.pageSize()"
        [pageSizeOptions]="[25, 50, 100, 200]"
        (page)="page($event)"
        data-testid="audit-paginator"
      />
    </mat-card>
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
    }
    .buttons {
      display: flex;
      gap: 4px;
    }
    .progress {
      height: 4px;
    }
    .scroll {
      overflow-x: auto;
    }
    table {
      width: 100%;
    }
    .code {
      font-family: ui-monospace, monospace;
      font-size: 12px;
    }
    .nowrap {
      white-space: nowrap;
    }
    .details {
      max-width: 320px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .failure {
      color: var(--tyto-critical);
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
    .empty {
      padding: 16px;
      margin: 0;
    }
  `,
})
export class AuditPage {
  protected readonly store = inject(AuditStore);
  protected readonly outcomes = AUDIT_OUTCOMES;
  protected readonly columns = COLUMNS;
  protected readonly filters = inject(NonNullableFormBuilder).group<AuditFilters>({
    ...NO_FILTERS,
  });
  // The range picker works in local days; the store takes them as yyyy-mm-dd.
  protected readonly fromDate = new FormControl<Date | null>(null);
  protected readonly toDate = new FormControl<Date | null>(null);

  constructor() {
    this.store.load();
  }

  protected search(): void {
    this.store.search({
      ...this.filters.getRawValue(),
      from: localDate(this.fromDate.value),
      to: localDate(this.toDate.value),
    });
  }

  protected clear(): void {
    this.filters.reset({ ...NO_FILTERS });
    this.fromDate.reset(null);
    this.toDate.reset(null);
    this.store.search(NO_FILTERS);
  }

  protected page(event: PageEvent): void {
    this.store.showPage(event.pageIndex, event.pageSize);
  }

  protected details(entry: AuditEntry): string {
    return Object.keys(entry.details).length ? JSON.stringify(entry.details) : '';
  }
}

function localDate(date: Date | null): string {
  if (!date) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
