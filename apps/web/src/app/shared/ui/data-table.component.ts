import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { Sort } from '@angular/material/sort';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import type { TableColumn, TableSort } from './table';
import { cellText, filterRows, sortRows } from './table';

// A table over rows already in the browser: optional text filter, sortable headers. The filter and
// sort state is this component's own; rows arrive fresh with every sample and keep it.
@Component({
  selector: 'tyto-data-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatFormFieldModule, MatInputModule, MatSortModule, MatTableModule],
  template: `
    @if (filterable()) {
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="filter">
        <mat-label>Filter</mat-label>
        <input
          matInput
          type="search"
          data-testid="table-filter"
          [value]="filter()"
          (input)="onFilter($event)"
        />
      </mat-form-field>
    }
    <div class="scroll" [style.max-height.px]="maxHeight() || null">
      <table
        mat-table
        matSort
        [dataSource]="visibleRows()"
        [trackBy]="trackRow"
        [matSortActive]="sort().column"
        [matSortDirection]="sort().direction"
        (matSortChange)="onSort($event)"
      >
        @for (column of columns(); track column.key) {
          <ng-container [matColumnDef]="column.key">
            <th
              mat-header-cell
              *matHeaderCellDef
              mat-sort-header
              [arrowPosition]="column.numeric ? 'before' : 'after'"
              [class.numeric]="column.numeric"
            >
              {{ column.label }}
            </th>
            <td
              mat-cell
              *matCellDef="let row"
              [class.numeric]="column.numeric"
              [class]="column.level?.(row) ?? ''"
              [attr.data-column]="column.key"
              [attr.title]="text(column, row)"
            >
              {{ text(column, row) }}
            </td>
          </ng-container>
        }
        <tr mat-header-row *matHeaderRowDef="columnKeys(); sticky: true"></tr>
        <tr mat-row *matRowDef="let row; columns: columnKeys()" data-testid="table-row"></tr>
        <tr class="mat-mdc-row" *matNoDataRow>
          <td class="mat-mdc-cell empty" [attr.colspan]="columnKeys().length">
            {{ rows().length > 0 ? 'No rows match the filter.' : emptyText() }}
          </td>
        </tr>
      </table>
    </div>
    @if (filter() && rows().length > 0) {
      <p class="count">{{ visibleRows().length }} of {{ rows().length }}</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .filter {
      width: 100%;
      max-width: 320px;
      margin-bottom: 8px;
    }
    .scroll {
      overflow: auto;
    }
    table {
      width: 100%;
      /* Dense rows: these tables sit in cards beside each other, not on a page of their own. */
      --mat-table-row-item-container-height: 36px;
      --mat-table-header-container-height: 40px;
    }
    .numeric {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    /* Long cells (command lines) are cut; the title attribute shows them whole on hover. */
    td {
      max-width: 420px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ok {
      color: var(--tyto-ok);
    }
    .warn {
      color: var(--tyto-warn);
    }
    .critical {
      color: var(--tyto-critical);
      font-weight: 600;
    }
    .muted {
      color: var(--tyto-muted);
    }
    .empty {
      padding: 12px 16px;
      color: var(--tyto-muted);
    }
    .count {
      font-size: 12px;
      color: var(--tyto-muted);
      margin: 4px 0 0;
    }
  `,
})
export class DataTableComponent<T> {
  readonly rows = input.required<readonly T[]>();
  readonly columns = input.required<readonly TableColumn<T>[]>();
  // Identifies a row across samples, so the DOM rows are updated instead of rebuilt every second.
  readonly rowKey = input.required<(row: T) => string | number>();
  readonly filterable = input(false);
  readonly initialSort = input<TableSort>({ column: '', direction: '' });
  readonly emptyText = input('Nothing to show.');
  // 0: as tall as the rows; otherwise the rows scroll under a sticky header.
  readonly maxHeight = input(0);

  protected readonly filter = signal('');
  private readonly userSort = signal<TableSort | null>(null);

  protected readonly sort = computed(() => this.userSort() ?? this.initialSort());
  protected readonly columnKeys = computed(() => this.columns().map((c) => c.key));
  protected readonly visibleRows = computed(() =>
    sortRows(filterRows(this.rows(), this.columns(), this.filter()), this.columns(), this.sort()),
  );

  protected readonly text = cellText<T>;
  protected readonly trackRow = (_index: number, row: T): string | number => this.rowKey()(row);

  protected onFilter(event: Event): void {
    this.filter.set((event.target as HTMLInputElement).value);
  }

  protected onSort(sort: Sort): void {
    this.userSort.set({ column: sort.active, direction: sort.direction });
  }
}
