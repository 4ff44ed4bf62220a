import type { PipeTransform } from '@angular/core';
import { Pipe } from '@angular/core';
import { formatUptime } from './format';

@Pipe({ name: 'uptime' })
export class UptimePipe implements PipeTransform {
  transform(seconds: number | null | undefined): string {
    return seconds === null || seconds === undefined ? '–' : formatUptime(seconds);
  }
}
