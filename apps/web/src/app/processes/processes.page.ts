import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { Sort } from '@angular/material/sort';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { ActivatedRoute, Router } from '@angular/router';
import type { SignalName } from '@tyto/contracts';
import { distinctUntilChanged, firstValueFrom, map } from 'rxjs';
import { CanDirective } from '../auth/can.directive';
import { HostSwitcherComponent } from '../fleet/host-switcher.component';
import { BytesPipe } from '../shared/format/bytes.pipe';
import { ConfirmSignalDialog, type ConfirmSignalData } from './confirm-signal.dialog';
import { ProcessesStore, type SortColumn } from './processes.store';

const COLUMNS = ['pid', 'name', 'user', 'state', 'cpu', 'memory', 'threads', 'cmdline'];

const ACTIONS: { label: string; signal: SignalName }[] = [
  { label: 'Terminate', signal: 'SIGTERM' },
  { label: 'Kill', signal: 'SIGKILL' },
  { label: 'Stop', signal: 'SIGSTOP' },
  { label: 'Continue', signal: 'SIGCONT' },
];
import { TimePipe } from '../shared/format/time.pipe';

@Component({
  selector: 'tyto-processes-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [ProcessesStore],
  imports: [
    TimePipe,
    DecimalPipe,
    BytesPipe,
    CanDirective,
    HostSwitcherComponent,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatSortModule,
    MatTableModule,
  ],
  template: `
    <h1>Processes on {{ store.agentId() }}</h1>
    <div class="bar">
      <tyto-host-switcher
        [agentId]="store.agentId()"
        [navigates]="false"
        (picked)="switchHost($event)"
      />
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Search</mat-label>
        <input
          matInput
          [value]="store.search()"
          (input)="store.setSearch($any($event.target).value)"
          placeholder="name, user, command or pid"
          data-testid="process-search"
        />
      </mat-form-field>
      <span data-testid="process-count">{{ store.rows().length }} of {{ store.total() }}</span>
    </div>
    @if (store.error(); as error) {
      <p class="error" role="alert">{{ error }}</p>
    }
    <div class="layout">
      <mat-card appearance="outlined" class="table-card">
        <div class="scroll">
          <table
            mat-table
            [dataSource]="store.rows()"
            matSort
            [matSortActive]="store.sort().column"
            [matSortDirection]="store.sort().direction"
            (matSortChange)="sort($event)"
            data-testid="process-table"
          >
            <ng-container matColumnDef="pid">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>PID</th>
              <td mat-cell *matCellDef="let p">{{ p.pid }}</td>
            </ng-container>
            <ng-container matColumnDef="name">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>Name</th>
              <td mat-cell *matCellDef="let p" data-testid="process-name">{{ p.name }}</td>
            </ng-container>
            <ng-container matColumnDef="user">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>User</th>
              <td mat-cell *matCellDef="let p">{{ p.user }}</td>
            </ng-container>
            <ng-container matColumnDef="state">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>State</th>
              <td mat-cell *matCellDef="let p">{{ p.state }}</td>
            </ng-container>
            <ng-container matColumnDef="cpu">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>CPU %</th>
              <td mat-cell *matCellDef="let p">{{ p.cpu | number: '1.1-1' }}</td>
            </ng-container>
            <ng-container matColumnDef="memory">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>Memory</th>
              <td mat-cell *matCellDef="let p">{{ p.memory | bytes }}</td>
            </ng-container>
            <ng-container matColumnDef="threads">
              <th mat-header-cell *matHeaderCellDef mat-sort-header>Threads</th>
              <td mat-cell *matCellDef="let p">{{ p.threads }}</td>
            </ng-container>
            <ng-container matColumnDef="cmdline">
              <th mat-header-cell *matHeaderCellDef>Command</th>
              <td mat-cell *matCellDef="let p" class="code cmd" [title]="p.cmdline">
                {{ p.cmdline }}
              </td>
            </ng-container>
            <tr mat-header-row *matHeaderRowDef="columns; sticky: true"></tr>
            <tr
              mat-row
              *matRowDef="let p; columns: columns"
              (click)="store.open(p.pid)"
              [class.selected]="store.selected()?.pid === p.pid"
              [attr.data-pid]="p.pid"
              data-testid="process-row"
            ></tr>
          </table>
        </div>
      </mat-card>
      @if (store.selected() || store.detailError()) {
        <aside class="drawer" data-testid="process-drawer" aria-label="Process details">
          @if (store.selected(); as p) {
            <h2>
              {{ p.name }} <small>pid {{ p.pid }}</small>
            </h2>
            <dl>
              <dt>Host</dt>
              <dd>{{ p.agent_id }}</dd>
              <dt>State</dt>
              <dd data-testid="process-state">{{ p.state }}</dd>
              <dt>User</dt>
              <dd>{{ p.user }}</dd>
              <dt>Parent</dt>
              <dd>{{ p.ppid }}</dd>
              <dt>CPU</dt>
              <dd>{{ p.cpu | number: '1.1-1' }} %</dd>
              <dt>Memory</dt>
              <dd>{{ p.memory | bytes }}</dd>
              <dt>Threads</dt>
              <dd>{{ p.threads }}</dd>
              <dt>Nice</dt>
              <dd>{{ p.nice }}</dd>
              <dt>Open files</dt>
              <dd>{{ p.open_files ?? 'not readable' }}</dd>
              <dt>Started</dt>
              <dd>{{ p.startTime | time: 'full' }}</dd>
              <dt>Command</dt>
              <dd class="code">{{ p.cmdline }}</dd>
            </dl>
            <div class="actions" *tytoCan="'processes:signal'">
              @for (a of actions; track a.signal) {
                <button
                  mat-stroked-button
                  type="button"
                  [disabled]="store.busy()"
                  (click)="confirm(a.label, a.signal)"
                  [attr.data-testid]="'signal-' + a.signal"
                >
                  {{ a.label }}
                </button>
              }
            </div>
          }
          @if (store.detailError(); as error) {
            <p class="error" role="alert" data-testid="process-error">{{ error }}</p>
          }
          <button mat-button type="button" (click)="store.close()">Close</button>
        </aside>
      }
    </div>
  `,
  styles: `
    .bar {
      display: flex;
      gap: 12px;
      align-items: center;
      margin-bottom: 12px;
    }
    .layout {
      display: flex;
      gap: 12px;
      align-items: flex-start;
    }
    .table-card {
      flex: 1;
      min-width: 0;
    }
    .scroll {
      max-height: 70vh;
      overflow: auto;
    }
    table {
      width: 100%;
    }
    tr[mat-row] {
      cursor: pointer;
    }
    tr.selected {
      background: var(--tyto-track);
    }
    .code {
      font-family: ui-monospace, monospace;
      font-size: 12px;
    }
    .cmd {
      max-width: 420px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .drawer {
      width: 360px;
      flex: none;
      padding: 12px;
      border: 1px solid var(--tyto-track);
      border-radius: 8px;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
    }
    dd {
      margin: 0;
      word-break: break-all;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      margin: 12px 0;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
  `,
})
export class ProcessesPage {
  protected readonly store = inject(ProcessesStore);
  private readonly dialog = inject(MatDialog);
  protected readonly columns = COLUMNS;
  protected readonly actions = ACTIONS;

  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  // The host is the `agent_id` query parameter (local by default): a link or the switcher
  // changes it, and the table follows.
  constructor() {
    this.route.queryParamMap
      .pipe(
        map((q) => q.get('agent_id') || 'local'),
        distinctUntilChanged(),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((agentId) => this.store.start(agentId));
  }

  protected switchHost(agentId: string): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { agent_id: agentId === 'local' ? null : agentId },
      queryParamsHandling: 'merge',
    });
  }

  protected sort(event: Sort): void {
    if (!event.direction) return;
    this.store.setSort({ column: event.active as SortColumn, direction: event.direction });
  }

  protected async confirm(action: string, signal: SignalName): Promise<void> {
    const p = this.store.selected();
    if (!p) return;
    const data: ConfirmSignalData = { action, signal, name: p.name, pid: p.pid, host: p.agent_id };
    const ok = await firstValueFrom(
      this.dialog
        .open<ConfirmSignalDialog, ConfirmSignalData, boolean>(ConfirmSignalDialog, { data })
        .afterClosed(),
    );
    if (ok) await this.store.signal(signal);
  }
}
