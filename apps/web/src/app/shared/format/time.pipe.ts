import type { PipeTransform } from '@angular/core';
import { Pipe, inject } from '@angular/core';
import type { TimeStyle } from './time-format';
import { TimeFormat } from './time-format';

// `{{ at | time: 'datetime' }}`. Impure so a change of 24 h / 12 h or time zone shows at once;
// formatting a handful of dates per check costs nothing.
@Pipe({ name: 'time', pure: false })
export class TimePipe implements PipeTransform {
  private readonly timeFormat = inject(TimeFormat);

  transform(
    value: Date | string | number | null | undefined,
    style: TimeStyle = 'datetime',
  ): string {
    return value === null || value === undefined ? '–' : this.timeFormat.format(value, style);
  }
}
