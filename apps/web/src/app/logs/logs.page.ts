import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { LogEntry, LogEntryLevel } from '@tyto/contracts';
import { LOG_ENTRY_LEVELS, LOG_SOURCES } from '@tyto/contracts';
import { stripAnsi } from './ansi';
import type { HistogramRange } from './logs-histogram.component';
import { LogsHistogramComponent } from './logs-histogram.component';
import type { LogFilters } from './logs.store';
import { LogsStore, NO_LOG_FILTERS } from './logs.store';
import type { TimePrefs } from '../shared/format/time-format';
import { TimeFormat, formatTime } from '../shared/format/time-format';
import { TimePipe } from '../shared/format/time.pipe';
import type { PickedRange } from '../shared/ui/date-time-range-picker.component';
import { DateTimeRangePickerComponent } from '../shared/ui/date-time-range-picker.component';

// Rows this close to the bottom of the scrolled list load the next page.
const LOAD_MORE_PX = 200;
const HOUR_MS = 3_600_000;

/**
 * The time range of the filters as text in the app's time format: to the minute when both ends
 * are whole minutes (a range picked on the calendar), else to the millisecond as the log lines
 * are (a histogram bar's span). Ends are ISO instants, '' when open.
 */
export function rangeLabel(from: string, to: string, prefs: TimePrefs): string {
  const ends = [from, to].filter(Boolean).map((end) => new Date(end));
  const style = ends.every((end) => end.getTime() % 60_000 === 0) ? 'datetime' : 'precise';
  const write = (end: string) => formatTime(end, style, prefs);
  if (from && to) return `${write(from)} – ${write(to)}`;
  if (from) return `From ${write(from)}`;
  if (to) return `Until ${write(to)}`;
  return 'Any time';
}

@Component({
  selector: 'tyto-logs-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [LogsStore],
  imports: [
    TimePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
    LogsHistogramComponent,
    DateTimeRangePickerComponent,
  ],
  template: `
    <h1>Logs</h1>
    <form class="filters" [formGroup]="filters" (ngSubmit)="search()" data-testid="logs-filters">
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>Search</mat-label>
        <input
          matInput
          formControlName="q"
          placeholder='refused "connection reset" -healthcheck time*'
          data-testid="logs-search"
        />
        <mat-hint
          >Words must all match; "quoted phrase"; -word excludes; word* matches a prefix.</mat-hint
        >
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Host</mat-label>
        <input matInput formControlName="agentId" placeholder="local" data-testid="logs-host" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Source</mat-label>
        <mat-select formControlName="source" data-testid="logs-source">
          <mat-option value="">Any</mat-option>
          @for (source of sources; track source) {
            <mat-option [value]="source">{{ source }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Unit, file or container</mat-label>
        <input matInput formControlName="sourceName" data-testid="logs-source-name" />
      </mat-form-field>
      <div class="range" role="group" aria-labelledby="logs-range-label">
        <span class="range-label" id="logs-range-label">Time range</span>
        <span class="range-text" data-testid="logs-range">{{ rangeText() }}</span>
        <button
          mat-stroked-button
          type="button"
          aria-controls="logs-range-picker"
          [attr.aria-expanded]="pickerOpen()"
          (click)="togglePicker()"
          data-testid="logs-range-button"
        >
          {{ rangeSet() ? 'Change' : 'Pick a range' }}
        </button>
        @if (rangeSet()) {
          <button mat-button type="button" (click)="anyTime()" data-testid="logs-range-clear">
            Any time
          </button>
        }
      </div>
      <mat-button-toggle-group
        multiple
        formControlName="levels"
        aria-label="Levels"
        data-testid="logs-levels"
      >
        @for (level of levels; track level) {
          <mat-button-toggle [value]="level" [class]="'level-' + level">{{
            level
          }}</mat-button-toggle>
        }
      </mat-button-toggle-group>
      <div class="buttons">
        <button mat-flat-button type="submit" data-testid="logs-apply">Search</button>
        <button mat-button type="button" (click)="clear()">Clear</button>
        <mat-slide-toggle
          [checked]="store.live()"
          (change)="store.setLive($event.checked)"
          data-testid="logs-live"
          >Live</mat-slide-toggle
        >
      </div>
    </form>
    @if (pickerOpen()) {
      <tyto-date-time-range-picker
        id="logs-range-picker"
        [from]="pickerStart().from"
        [to]="pickerStart().to"
        [now]="pickerStart().now"
        [prefs]="timeFormat.prefs()"
        (applied)="applyRange($event)"
        (cancelled)="pickerOpen.set(false)"
      />
    }
    @if (store.error(); as error) {
      <p class="error" role="alert" data-testid="logs-error">{{ error }}</p>
    }
    <p class="summary" data-testid="logs-summary">
      @if (store.live()) {
        Live{{ store.paused() ? ' (paused while scrolled down' : '' }}
        @if (store.paused()) {
          · {{ store.waitingCount() }} new)
        }
        @if (store.dropped()) {
          · {{ store.dropped() }} lines skipped by the hub while this page was slow
        }
      } @else {
        {{ store.estimated() ? 'About ' : '' }}{{ store.total() }} matching lines
      }
    </p>

    @if (store.histogram(); as histogram) {
      <tyto-logs-histogram [histogram]="histogram" (narrow)="narrow($event)" />
    }

    <mat-card appearance="outlined">
      <div class="progress">
        @if (store.loading()) {
          <mat-progress-bar mode="indeterminate" />
        }
      </div>
      <div class="scroll" (scroll)="scrolled($event)" data-testid="logs-scroll">
        <table data-testid="logs-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Host</th>
              <th>Source</th>
              <th>Level</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            @for (entry of store.entries(); track entry.id) {
              <tr
                class="row"
                [class]="'row level-' + entry.level"
                (click)="toggle(entry.id)"
                data-testid="logs-row"
              >
                <td class="nowrap">{{ entry.timestamp | time: 'precise' }}</td>
                <td class="nowrap">{{ entry.agent_id }}</td>
                <td class="nowrap" [title]="entry.source">{{ entry.source_name }}</td>
                <td class="level" data-testid="logs-level">{{ entry.level }}</td>
                <!-- Interpolation: the text is set as text, never parsed as HTML. One line,
                     cut with "…"; the whole message is its title and in the opened row. -->
                <td class="message" [title]="text(entry)" data-testid="logs-message">
                  {{ text(entry) }}
                </td>
              </tr>
              @if (expanded() === entry.id) {
                <tr class="fields" data-testid="logs-fields">
                  <td colspan="5">
                    <dl>
                      <dt>message</dt>
                      <dd data-testid="logs-full-message">{{ text(entry) }}</dd>
                      <dt>source</dt>
                      <dd>{{ entry.source }}</dd>
                      @for (field of fieldList(entry); track field[0]) {
                        <dt>{{ field[0] }}</dt>
                        <dd>{{ field[1] }}</dd>
                      }
                    </dl>
                  </td>
                </tr>
              }
            }
          </tbody>
        </table>
        @if (!store.loading() && store.entries().length === 0) {
          <p class="empty" data-testid="logs-empty">No lines match these filters.</p>
        }
        @if (store.hasMore()) {
          <button mat-button type="button" (click)="store.loadMore()" data-testid="logs-more">
            Load more
          </button>
        }
      </div>
    </mat-card>
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 8px;
    }
    .search {
      flex: 1 1 360px;
    }
    .range {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
      align-items: center;
    }
    .range-label {
      font-size: 13px;
      color: var(--tyto-muted);
    }
    .range-text {
      font-variant-numeric: tabular-nums;
    }
    .buttons {
      display: flex;
      gap: 8px;
      align-items: center;
    }
    .progress {
      height: 4px;
    }
    .scroll {
      max-height: 70vh;
      overflow: auto;
    }
    table {
      width: 100%;
      border-collapse: collapse;
      font-size: 13px;
    }
    th {
      text-align: left;
      position: sticky;
      top: 0;
      background: var(--mat-sys-surface, #fff);
    }
    td,
    th {
      padding: 2px 8px;
      vertical-align: top;
    }
    .row {
      cursor: pointer;
      border-top: 1px solid var(--tyto-track, #eee);
    }
    /* max-width 0 with width 100%: the column takes what the others leave and cuts the rest. */
    .message {
      font-family: ui-monospace, monospace;
      width: 100%;
      max-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .nowrap {
      white-space: nowrap;
    }
    .level-critical .level,
    .level-error .level,
    mat-button-toggle.level-error,
    mat-button-toggle.level-critical {
      color: var(--tyto-critical);
      font-weight: 600;
    }
    .level-warning .level,
    mat-button-toggle.level-warning {
      color: var(--tyto-warn);
    }
    .level-debug .level,
    .level-unknown .level {
      opacity: 0.7;
    }
    .fields dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 12px;
      margin: 4px 0 8px 24px;
      font-family: ui-monospace, monospace;
      font-size: 12px;
    }
    .fields dd {
      margin: 0;
      white-space: pre-wrap;
      word-break: break-all;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
    .summary {
      margin: 4px 0;
      opacity: 0.8;
    }
    .empty {
      padding: 16px;
      margin: 0;
    }
  `,
})
export class LogsPage {
  protected readonly store = inject(LogsStore);
  protected readonly sources = LOG_SOURCES;
  protected readonly levels = LOG_ENTRY_LEVELS;
  protected readonly expanded = signal<string | null>(null);
  protected readonly timeFormat = inject(TimeFormat);
  // From and To have no inputs of their own: the range picker and the histogram set them.
  protected readonly filters = inject(NonNullableFormBuilder).group({
    ...NO_LOG_FILTERS,
    levels: [[] as LogEntryLevel[]],
  });
  private readonly range = toSignal(this.filters.valueChanges, {
    initialValue: this.filters.getRawValue(),
  });
  protected readonly rangeSet = computed(() => !!(this.range().from || this.range().to));
  protected readonly rangeText = computed(() =>
    rangeLabel(this.range().from ?? '', this.range().to ?? '', this.timeFormat.prefs()),
  );
  protected readonly pickerOpen = signal(false);
  // What the picker opens on: the range set, or the last hour when an end is open.
  protected readonly pickerStart = signal({ from: new Date(0), to: new Date(0), now: new Date(0) });

  constructor() {
    this.store.load();
  }

  protected search(): void {
    this.store.search(this.filters.getRawValue() as LogFilters);
  }

  protected clear(): void {
    this.pickerOpen.set(false);
    this.filters.reset({ ...NO_LOG_FILTERS, levels: [] });
    this.search();
  }

  protected togglePicker(): void {
    if (this.pickerOpen()) {
      this.pickerOpen.set(false);
      return;
    }
    const now = new Date();
    const { from, to } = this.filters.getRawValue();
    const end = to ? new Date(to) : now;
    const start = from
      ? new Date(from)
      : new Date(Math.min(end.getTime(), now.getTime()) - HOUR_MS);
    this.pickerStart.set({ from: start, to: end, now });
    this.pickerOpen.set(true);
  }

  protected applyRange({ from, to }: PickedRange): void {
    this.pickerOpen.set(false);
    this.setRange(from.toISOString(), to.toISOString());
  }

  // The whole time range widened back out, the other filters kept.
  protected anyTime(): void {
    this.pickerOpen.set(false);
    this.setRange('', '');
  }

  // A histogram bar was clicked: search just its time range, the other filters kept.
  protected narrow(range: HistogramRange): void {
    this.pickerOpen.set(false);
    this.setRange(range.from.toISOString(), range.to.toISOString());
  }

  private setRange(from: string, to: string): void {
    this.filters.patchValue({ from, to });
    this.search();
  }

  protected toggle(id: string): void {
    this.expanded.set(this.expanded() === id ? null : id);
  }

  protected text(entry: LogEntry): string {
    return stripAnsi(entry.message);
  }

  protected fieldList(entry: LogEntry): [string, string][] {
    return Object.entries(entry.fields);
  }

  // Scrolled away from the newest line: the live tail pauses; near the bottom: the next page.
  protected scrolled(event: Event): void {
    const el = event.target as HTMLElement;
    this.store.setPaused(el.scrollTop > 8);
    if (el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_MORE_PX) this.store.loadMore();
  }
}
