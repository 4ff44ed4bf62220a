import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { MatButtonToggleChange } from '@angular/material/button-toggle';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { ExportFormat } from '@tyto/contracts';
import { AuthStore } from '../../auth/auth.store';
import { formatBytes } from '../../shared/format/format';
import { TimeFormat } from '../../shared/format/time-format';
import { TimePipe } from '../../shared/format/time.pipe';
import { BandChartComponent } from '../../shared/ui/band-chart.component';
import { DataTableComponent } from '../../shared/ui/data-table.component';
import { ExportButtonsComponent } from '../export-buttons.component';
import type { ProcessRow } from '../host-columns';
import { PROCESS_COLUMNS } from '../host-columns';
import { HostStore } from '../host.store';
import type { HistoryChart } from './history-charts';
import type { RangePreset } from './history-range';
import { RANGE_PRESETS, axisFormat, resolveRange } from './history-range';
import type { PickedRange } from '../../shared/ui/date-time-range-picker.component';
import { DateTimeRangePickerComponent } from '../../shared/ui/date-time-range-picker.component';
import { HostHistoryStore } from './host-history.store';

const percentTick = (value: number): string => `${value} %`;
const rateTick = (value: number): string => `${formatBytes(value, 0)}/s`;
const percentValue = (value: number): string => `${value.toFixed(1)} %`;
const rateValue = (value: number): string => `${formatBytes(value)}/s`;

@Component({
  selector: 'tyto-host-history-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [HostHistoryStore],
  imports: [
    TimePipe,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatProgressBarModule,
    BandChartComponent,
    DataTableComponent,
    ExportButtonsComponent,
    DateTimeRangePickerComponent,
  ],
  template: `
    <div class="toolbar">
      <mat-button-toggle-group
        hideSingleSelectionIndicator
        aria-label="Time range"
        [value]="toggleValue()"
        (change)="onToggle($event)"
      >
        @for (preset of presets; track preset.id) {
          <mat-button-toggle [value]="preset.id" [attr.data-testid]="'range-' + preset.id">
            {{ preset.label }}
          </mat-button-toggle>
        }
        <!-- A click opens the picker again when a custom range is already the one shown. -->
        <mat-button-toggle value="custom" data-testid="range-custom" (click)="openCustom()">
          Custom
        </mat-button-toggle>
      </mat-button-toggle-group>
      <button
        mat-stroked-button
        type="button"
        data-testid="history-refresh"
        [disabled]="history.loading()"
        (click)="history.refresh()"
      >
        Refresh
      </button>
      <span class="spacer"></span>
      @if (canExport()) {
        <tyto-export-buttons
          scope="range"
          label="Export range"
          [busy]="host.exporting()"
          [error]="host.rangeExportError()"
          [disabled]="history.exportRange() === null"
          (exportAs)="exportRange($event)"
        />
      }
    </div>

    @if (customOpen()) {
      <tyto-date-time-range-picker
        [from]="customStart().from"
        [to]="customStart().to"
        [now]="customStart().now"
        [prefs]="timeFormat.prefs()"
        (applied)="applyCustom($event)"
        (cancelled)="cancelCustom()"
      />
    }

    @if (history.queriedRange(); as range) {
      <p class="meta" data-testid="history-range">
        {{ range.from | time: 'datetime' }} – {{ range.to | time: 'datetime' }}
        @if (history.response(); as response) {
          · {{ response.data.length }} points at {{ resolutionLabel(response.resolution) }}
        }
      </p>
    }

    @if (history.loading()) {
      <div class="state" data-testid="history-loading">
        <mat-progress-bar mode="indeterminate" />
        <p>Loading history…</p>
      </div>
    } @else if (history.error(); as error) {
      <div class="state failed" role="alert" data-testid="history-error">
        <p>Could not load the history: {{ error }}</p>
        <button mat-stroked-button type="button" (click)="history.refresh()">Try again</button>
      </div>
    } @else if (history.empty()) {
      <div class="state" data-testid="history-empty">
        <p>
          No samples in this range yet. The hub stores one per sampling interval from its start.
        </p>
      </div>
    } @else if (history.response()) {
      @if (canSeeProcesses()) {
        <p class="meta hint">Click a point in a chart to see the top processes of that minute.</p>
      }
      <div class="charts">
        @for (chart of history.charts(); track chart.id) {
          <mat-card appearance="outlined" [attr.data-testid]="'history-chart-' + chart.id">
            <mat-card-header>
              <mat-card-title>{{ chart.title }}</mat-card-title>
            </mat-card-header>
            <mat-card-content>
              <tyto-band-chart
                [series]="chart.series"
                [yMax]="chart.unit === 'percent' ? 100 : 0"
                [yTickFormat]="tickFormat(chart)"
                [valueFormat]="valueFormat(chart)"
                [xTickFormat]="xFormat()"
                [xMin]="xDomain().from"
                [xMax]="xDomain().to"
                [selectable]="canSeeProcesses()"
                (pointSelected)="history.selectTime($event)"
              />
            </mat-card-content>
          </mat-card>
        }
      </div>
    }

    @if (history.selected(); as at) {
      <mat-card appearance="outlined" class="processes" data-testid="history-processes">
        <mat-card-header>
          <mat-card-title>Top processes</mat-card-title>
          <mat-card-subtitle>
            Peak CPU and memory during the minute of {{ at | time: 'datetime' }}
          </mat-card-subtitle>
          <span class="spacer"></span>
          <button mat-button type="button" (click)="history.clearSelection()">Close</button>
        </mat-card-header>
        <mat-card-content>
          @switch (history.processes().status) {
            @case ('loading') {
              <mat-progress-bar mode="indeterminate" />
            }
            @case ('error') {
              <p class="meta" data-testid="history-processes-error">{{ processesError() }}</p>
            }
            @case ('loaded') {
              <div class="split">
                <div>
                  <h3>By CPU</h3>
                  <tyto-data-table
                    data-testid="history-processes-by-cpu"
                    [rows]="processesData()?.top_by_cpu ?? []"
                    [columns]="processColumns"
                    [rowKey]="processKey"
                    emptyText="No processes recorded."
                  />
                </div>
                <div>
                  <h3>By memory</h3>
                  <tyto-data-table
                    data-testid="history-processes-by-memory"
                    [rows]="processesData()?.top_by_memory ?? []"
                    [columns]="processColumns"
                    [rowKey]="processKey"
                    emptyText="No processes recorded."
                  />
                </div>
              </div>
            }
            @case ('idle') {}
          }
        </mat-card-content>
      </mat-card>
    }
  `,
  styles: `
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
      margin-bottom: 8px;
    }
    .spacer {
      flex: 1;
    }
    .error {
      color: var(--tyto-critical);
      font-size: 14px;
    }
    .meta {
      color: var(--tyto-muted);
      font-size: 14px;
      margin: 4px 0 12px;
    }
    .hint {
      font-size: 13px;
    }
    .state {
      max-width: 520px;
      margin: 48px auto;
      text-align: center;
    }
    .failed {
      color: var(--tyto-critical);
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%), 1fr));
      gap: 16px;
    }
    @media (max-width: 720px) {
      .charts {
        grid-template-columns: 1fr;
      }
    }
    .processes {
      margin-top: 16px;
    }
    .processes mat-card-header {
      align-items: center;
    }
    .split {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr));
      gap: 16px 24px;
    }
    h3 {
      font-size: 15px;
      font-weight: 500;
      margin: 8px 0;
    }
  `,
})
export class HostHistoryPage {
  protected readonly history = inject(HostHistoryStore);
  protected readonly host = inject(HostStore);
  private readonly auth = inject(AuthStore);
  protected readonly timeFormat = inject(TimeFormat);

  protected readonly presets = RANGE_PRESETS;
  protected readonly processColumns = PROCESS_COLUMNS;
  protected readonly processKey = (p: ProcessRow) => p.pid;

  // The custom range form is page state until applied; the store only knows ranges in use.
  protected readonly customOpen = signal(false);
  // What the picker opens on: the range shown when Custom was pressed.
  protected readonly customStart = signal({ from: new Date(0), to: new Date(0), now: new Date(0) });

  protected readonly toggleValue = computed(() => {
    const range = this.history.range();
    if (this.customOpen() || range.kind === 'custom') return 'custom';
    return range.preset;
  });
  protected readonly xFormat = computed(() => {
    this.timeFormat.prefs();
    return axisFormat(this.history.spanMs(), (value, style) =>
      this.timeFormat.format(value, style),
    );
  });
  protected readonly xDomain = computed(() => {
    const range = this.history.queriedRange();
    return range ? { from: Date.parse(range.from), to: Date.parse(range.to) } : { from: 0, to: 0 };
  });
  protected readonly processesData = computed(() => {
    const state = this.history.processes();
    return state.status === 'loaded' ? state.data : null;
  });
  protected readonly processesError = computed(() => {
    const state = this.history.processes();
    return state.status === 'error' ? state.message : null;
  });

  constructor() {
    effect(() => {
      const agentId = this.host.agentId();
      untracked(() => this.history.load(agentId));
    });
  }

  protected canExport(): boolean {
    return this.auth.can('metrics:export');
  }

  // The per-minute process peaks are behind their own permission, like the live process list.
  protected canSeeProcesses(): boolean {
    return this.auth.can('processes:view');
  }

  protected tickFormat(chart: HistoryChart): (value: number) => string {
    return chart.unit === 'percent' ? percentTick : rateTick;
  }

  protected valueFormat(chart: HistoryChart): (value: number) => string {
    return chart.unit === 'percent' ? percentValue : rateValue;
  }

  protected resolutionLabel(resolution: string): string {
    return resolution === 'raw' ? 'full resolution' : `${resolution} averages`;
  }

  protected onToggle(change: MatButtonToggleChange): void {
    const value = change.value as RangePreset | 'custom';
    if (value === 'custom') {
      this.openCustom();
      return;
    }
    this.customOpen.set(false);
    this.history.setRange({ kind: 'preset', preset: value });
  }

  protected openCustom(): void {
    if (this.customOpen()) return;
    const now = new Date();
    this.customStart.set({ ...resolveRange(this.history.range(), now), now });
    this.customOpen.set(true);
  }

  protected applyCustom({ from, to }: PickedRange): void {
    this.customOpen.set(false);
    this.history.setRange({ kind: 'custom', from, to });
  }

  // Back to the range in use; the toggle shows it again.
  protected cancelCustom(): void {
    this.customOpen.set(false);
  }

  protected exportRange(format: ExportFormat): void {
    const range = this.history.exportRange();
    if (range) void this.host.export(format, range);
  }
}
