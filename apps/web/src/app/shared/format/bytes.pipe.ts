import type { PipeTransform } from '@angular/core';
import { Pipe } from '@angular/core';
import { formatBytes } from './format';

@Pipe({ name: 'bytes' })
export class BytesPipe implements PipeTransform {
  transform(bytes: number | null | undefined, fractionDigits = 1): string {
    return bytes === null || bytes === undefined ? '–' : formatBytes(bytes, fractionDigits);
  }
}
