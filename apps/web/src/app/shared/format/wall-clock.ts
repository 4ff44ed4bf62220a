import type { TimePrefs, TimeZoneChoice } from './time-format';

// Days and times of day as the user reads them on their clock (24 h or 12 h, browser zone or
// UTC): what the date-time range picker shows and reads back.

/** A day on the calendar, in the zone the user reads times in. Month 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** A time of day, 0–23 and 0–59. */
export interface WallTime {
  hour: number;
  minute: number;
}

/** The day and time `date` shows on a clock in `zone` (the browser's, or UTC). */
export function wallClock(date: Date, zone: TimeZoneChoice): CivilDate & WallTime {
  return zone === 'UTC'
    ? {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
      }
    : {
        year: date.getFullYear(),
        month: date.getMonth() + 1,
        day: date.getDate(),
        hour: date.getHours(),
        minute: date.getMinutes(),
      };
}

/** The instant a clock in `zone` shows `day` at `time`. */
export function zonedDate(day: CivilDate, time: WallTime, zone: TimeZoneChoice): Date {
  return zone === 'UTC'
    ? new Date(Date.UTC(day.year, day.month - 1, day.day, time.hour, time.minute))
    : new Date(day.year, day.month - 1, day.day, time.hour, time.minute);
}

export function compareDays(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Whether times are written on a 12-hour clock: the user's choice, else the locale's. */
export function usesHour12(prefs: TimePrefs, locale?: string): boolean {
  if (prefs.hourCycle !== 'locale') return prefs.hourCycle === '12';
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h11' || cycle === 'h12';
}

/** "09:30" on a 24-hour clock, "09:30 AM" on a 12-hour one (two-digit hours, as everywhere). */
export function formatWallTime({ hour, minute }: WallTime, hour12: boolean): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (!hour12) return `${pad(hour)}:${pad(minute)}`;
  return `${pad(hour % 12 === 0 ? 12 : hour % 12)}:${pad(minute)} ${hour < 12 ? 'AM' : 'PM'}`;
}

/**
 * A typed time of day: "14:05", "9:05", "0905", "9.05", "9 pm", "9:05 AM". With AM/PM the hour is
 * 1–12 whatever clock the user reads; without, 0–23. Null when it is not a time.
 */
export function parseWallTime(text: string): WallTime | null {
  const match =
    /^(\d{1,2})(?:[:.h]?(\d{2}))?\s*([ap])\.?\s*(?:m\.?)?$|^(\d{1,2})(?:[:.h]?(\d{2}))?$/i.exec(
      text.trim(),
    );
  if (!match) return null;
  const meridiem = match[3]?.toLowerCase();
  const hour = Number(meridiem ? match[1] : match[4]);
  const minute = Number((meridiem ? match[2] : match[5]) ?? 0);
  if (minute > 59) return null;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    return { hour: (hour % 12) + (meridiem === 'p' ? 12 : 0), minute };
  }
  return hour > 23 ? null : { hour, minute };
}

// Null when the custom range can be asked for, otherwise what is wrong with it.
export function customRangeProblem(from: Date | null, to: Date | null, now: Date): string | null {
  if (!from || !to) return 'Enter both a start and an end.';
  if (from >= to) return 'The start must be before the end.';
  if (from > now) return 'The start is in the future.';
  return null;
}
