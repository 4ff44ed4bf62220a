import { DOCUMENT } from '@angular/common';
import { Injectable, computed, inject, signal } from '@angular/core';

export type HourCycle = 'locale' | '24' | '12';
export type TimeZoneChoice = 'browser' | 'UTC';

export interface TimePrefs {
  hourCycle: HourCycle;
  timeZone: TimeZoneChoice;
}

export const TIME_PREFS_KEY = 'tyto-time';
export const DEFAULT_TIME_PREFS: TimePrefs = { hourCycle: 'locale', timeZone: 'browser' };

// The one family of formats the app shows times in, all from Intl in the browser's locale:
//   time      14:05:07            (live charts, "last sample")
//   short     Dec 1, 14:05        (chart axes over days, tooltips)
//   datetime  Dec 1, 2026, 14:05  (tables: audit, users, tokens)
//   full      Dec 1, 2026, 14:05:07 UTC (a single instant in detail)
//   precise   Dec 1, 14:05:07.123    (log lines, where the order within a second matters)
export type TimeStyle = 'time' | 'minute' | 'short' | 'datetime' | 'full' | 'precise';

function options(style: TimeStyle, prefs: TimePrefs): Intl.DateTimeFormatOptions {
  const base: Intl.DateTimeFormatOptions = {
    timeZone: prefs.timeZone === 'UTC' ? 'UTC' : undefined,
    hour12: prefs.hourCycle === 'locale' ? undefined : prefs.hourCycle === '12',
    hour: '2-digit',
    minute: '2-digit',
  };
  switch (style) {
    case 'time':
      return { ...base, second: '2-digit' };
    case 'minute':
      return base;
    case 'short':
      return { ...base, month: 'short', day: 'numeric' };
    case 'datetime':
      return { ...base, year: 'numeric', month: 'short', day: 'numeric' };
    case 'full':
      return {
        ...base,
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        second: '2-digit',
        timeZoneName: 'short',
      };
    case 'precise':
      return {
        ...base,
        month: 'short',
        day: 'numeric',
        second: '2-digit',
        fractionalSecondDigits: 3,
      };
  }
}

export function formatTime(
  value: Date | string | number,
  style: TimeStyle,
  prefs: TimePrefs = DEFAULT_TIME_PREFS,
  locale?: string,
): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat(locale, options(style, prefs)).format(date);
}

function parsePrefs(raw: string | null | undefined): TimePrefs {
  try {
    const v = JSON.parse(raw ?? '') as Partial<TimePrefs>;
    return {
      hourCycle: v.hourCycle === '24' || v.hourCycle === '12' ? v.hourCycle : 'locale',
      timeZone: v.timeZone === 'UTC' ? 'UTC' : 'browser',
    };
  } catch {
    return DEFAULT_TIME_PREFS;
  }
}

// The user's 24 h / 12 h and time-zone choice, remembered in this browser.
@Injectable({ providedIn: 'root' })
export class TimeFormat {
  private readonly document = inject(DOCUMENT);
  private readonly _prefs = signal<TimePrefs>(this.load());

  readonly prefs = this._prefs.asReadonly();
  readonly utc = computed(() => this._prefs().timeZone === 'UTC');

  format(value: Date | string | number, style: TimeStyle): string {
    return formatTime(value, style, this._prefs());
  }

  set(prefs: Partial<TimePrefs>): void {
    const next = { ...this._prefs(), ...prefs };
    this._prefs.set(next);
    try {
      this.document.defaultView?.localStorage.setItem(TIME_PREFS_KEY, JSON.stringify(next));
    } catch {
      // Storage refused: the choice lasts for this page only.
    }
  }

  private load(): TimePrefs {
    try {
      return parsePrefs(this.document.defaultView?.localStorage.getItem(TIME_PREFS_KEY));
    } catch {
      return DEFAULT_TIME_PREFS;
    }
  }
}
