import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { provideNativeDateAdapter } from '@angular/material/core';
import { DateRange, MatDatepickerModule } from '@angular/material/datepicker';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { CivilDate } from '../format/wall-clock';
import {
  compareDays,
  customRangeProblem,
  formatWallTime,
  parseWallTime,
  usesHour12,
  wallClock,
  zonedDate,
} from '../format/wall-clock';
import type { TimePrefs } from '../format/time-format';
import { DEFAULT_TIME_PREFS, formatTime } from '../format/time-format';

export interface PickedRange {
  from: Date;
  to: Date;
}

// The calendar works in the browser's local days (Material's native date adapter): a civil day
// in the user's zone is shown as that day at local midnight, whatever the zone.
function calendarDay(day: CivilDate): Date {
  return new Date(day.year, day.month - 1, day.day);
}

function civilDay(date: Date): CivilDate {
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() };
}

// A custom time range: two days picked on one calendar (first click the start, second the end),
// a time for each typed on the clock the user reads (24 h or 12 h, their time zone), and the
// result written back in the app's one date format before it is applied.
@Component({
  selector: 'tyto-date-time-range-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [provideNativeDateAdapter()],
  imports: [MatButtonModule, MatDatepickerModule, MatFormFieldModule, MatInputModule],
  template: `
    <form
      class="picker"
      (submit)="submit($event)"
      aria-label="Custom time range"
      data-testid="custom-range"
    >
      <mat-calendar
        class="calendar"
        [selected]="calendarRange()"
        [startAt]="calendarStart()"
        [maxDate]="calendarMax()"
        (selectedChange)="pickDay($event)"
        data-testid="range-calendar"
      />
      <div class="fields">
        <p class="hint" data-testid="custom-zone">
          {{ picking() === 'end' ? 'Now pick the last day.' : 'Pick the first and last day.' }}
          Times on a {{ hour12() ? '12-hour' : '24-hour' }} clock, {{ zoneLabel() }}.
        </p>
        <div class="row">
          <span class="day" data-testid="custom-from-day">{{ dayLabel(fromDay()) }}</span>
          <mat-form-field appearance="outline" subscriptSizing="dynamic">
            <mat-label>From</mat-label>
            <input
              matInput
              autocomplete="off"
              [placeholder]="example()"
              [value]="fromTime()"
              (input)="fromTime.set(value($event))"
              data-testid="custom-from"
            />
          </mat-form-field>
        </div>
        <div class="row">
          <span class="day" data-testid="custom-to-day">{{ dayLabel(toDay()) }}</span>
          <mat-form-field appearance="outline" subscriptSizing="dynamic">
            <mat-label>To</mat-label>
            <input
              matInput
              autocomplete="off"
              [placeholder]="example()"
              [value]="toTime()"
              (input)="toTime.set(value($event))"
              data-testid="custom-to"
            />
          </mat-form-field>
        </div>
        @if (problem(); as p) {
          <p class="error" role="alert" data-testid="custom-error">{{ p }}</p>
        } @else {
          <p class="summary" data-testid="custom-summary">{{ summary() }}</p>
        }
        <div class="actions">
          <button mat-flat-button type="submit" data-testid="custom-apply">Show</button>
          <button mat-button type="button" (click)="cancelled.emit()">Cancel</button>
        </div>
      </div>
    </form>
  `,
  styles: `
    .picker {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 8px 0;
      padding: 8px;
      border: 1px solid var(--tyto-track);
      border-radius: 12px;
    }
    .calendar {
      width: 296px;
      flex: none;
    }
    .fields {
      display: flex;
      flex-direction: column;
      gap: 8px;
      flex: 1;
      min-width: 240px;
      padding-top: 8px;
    }
    .row {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px 12px;
    }
    .day {
      min-width: 130px;
      font-variant-numeric: tabular-nums;
    }
    .row mat-form-field {
      width: 140px;
    }
    .hint,
    .summary {
      margin: 0;
      font-size: 13px;
      color: var(--tyto-muted);
    }
    .error {
      margin: 0;
      font-size: 14px;
      color: var(--tyto-critical);
    }
    .actions {
      display: flex;
      gap: 8px;
    }
  `,
})
export class DateTimeRangePickerComponent {
  /** The range the picker opens on. */
  readonly from = input.required<Date>();
  readonly to = input.required<Date>();
  readonly prefs = input<TimePrefs>(DEFAULT_TIME_PREFS);
  /** No day after this one can be picked (the hub has no future). */
  readonly now = input.required<Date>();
  readonly applied = output<PickedRange>();
  readonly cancelled = output();

  protected readonly fromDay = signal<CivilDate>({ year: 1970, month: 1, day: 1 });
  protected readonly toDay = signal<CivilDate>({ year: 1970, month: 1, day: 1 });
  protected readonly fromTime = signal('');
  protected readonly toTime = signal('');
  // After the first click the second one picks the end of the range.
  protected readonly picking = signal<'start' | 'end'>('start');
  protected readonly tried = signal(false);

  private readonly zone = computed(() => this.prefs().timeZone);
  protected readonly hour12 = computed(() => usesHour12(this.prefs()));
  protected readonly zoneLabel = computed(() =>
    this.zone() === 'UTC'
      ? 'UTC'
      : (Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'browser time'),
  );
  protected readonly example = computed(() =>
    formatWallTime({ hour: 9, minute: 30 }, this.hour12()),
  );
  protected readonly calendarRange = computed(() =>
    this.picking() === 'end'
      ? new DateRange<Date>(calendarDay(this.fromDay()), null)
      : new DateRange<Date>(calendarDay(this.fromDay()), calendarDay(this.toDay())),
  );
  protected readonly calendarStart = computed(() => calendarDay(this.toDay()));
  protected readonly calendarMax = computed(() => calendarDay(wallClock(this.now(), this.zone())));

  private readonly range = computed((): PickedRange | string => {
    const fromTime = parseWallTime(this.fromTime());
    const toTime = parseWallTime(this.toTime());
    if (!fromTime || !toTime) return `Enter the times like ${this.example()}.`;
    const from = zonedDate(this.fromDay(), fromTime, this.zone());
    const to = zonedDate(this.toDay(), toTime, this.zone());
    return customRangeProblem(from, to, this.now()) ?? { from, to };
  });
  // Said once the user tried to apply, or as soon as a time they typed cannot be read.
  protected readonly problem = computed(() => {
    const range = this.range();
    if (typeof range !== 'string') return null;
    const unreadable = [this.fromTime(), this.toTime()].some(
      (t) => t.trim() !== '' && parseWallTime(t) === null,
    );
    return this.tried() || unreadable ? range : null;
  });
  protected readonly summary = computed(() => {
    const range = this.range();
    if (typeof range === 'string') return '';
    const prefs = this.prefs();
    return `${formatTime(range.from, 'datetime', prefs)} – ${formatTime(range.to, 'datetime', prefs)}`;
  });

  constructor() {
    // Opened (or re-opened) on a range: start from it, on the user's clock.
    effect(() => {
      const from = wallClock(this.from(), this.zone());
      const to = wallClock(this.to(), this.zone());
      const hour12 = this.hour12();
      untracked(() => {
        this.fromDay.set(from);
        this.toDay.set(to);
        this.fromTime.set(formatWallTime(from, hour12));
        this.toTime.set(formatWallTime(to, hour12));
        this.picking.set('start');
        this.tried.set(false);
      });
    });
  }

  protected dayLabel(day: CivilDate): string {
    // Noon UTC of that day, written in UTC: the day itself, with no zone to shift it.
    return new Intl.DateTimeFormat(undefined, {
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(Date.UTC(day.year, day.month - 1, day.day, 12)));
  }

  protected pickDay(date: Date | null): void {
    if (!date) return;
    const day = civilDay(date);
    if (this.picking() === 'start' || compareDays(day, this.fromDay()) < 0) {
      this.fromDay.set(day);
      this.toDay.set(day);
      this.picking.set('end');
      return;
    }
    this.toDay.set(day);
    this.picking.set('start');
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected submit(event: Event): void {
    event.preventDefault();
    this.tried.set(true);
    const range = this.range();
    if (typeof range !== 'string') this.applied.emit(range);
  }
}
