import type { PipeTransform } from '@angular/core';
import { Pipe } from '@angular/core';
import { formatPercent } from './format';

// Angular's own `percent` pipe expects fractions (0.5); the hub sends 0–100.
@Pipe({ name: 'usage' })
export class UsagePipe implements PipeTransform {
  transform(percent: number | null | undefined): string {
    return percent === null || percent === undefined ? '–' : formatPercent(percent);
  }
}
