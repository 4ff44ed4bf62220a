import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { UsagePipe } from '../format/usage.pipe';

export type UsageLevel = 'ok' | 'warn' | 'critical';

export function usageLevel(percent: number): UsageLevel {
  if (percent >= 90) return 'critical';
  if (percent >= 75) return 'warn';
  return 'ok';
}

// A labelled horizontal gauge for anything with a 0–100 usage (memory, swap, a disk mount).
@Component({
  selector: 'tyto-usage-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [UsagePipe],
  template: `
    <div class="row">
      <span class="label">{{ label() }}</span>
      <span class="value" data-testid="usage-value">{{ percent() | usage }}</span>
    </div>
    <div
      class="track"
      role="progressbar"
      [attr.aria-label]="label()"
      aria-valuemin="0"
      aria-valuemax="100"
      [attr.aria-valuenow]="clamped()"
    >
      <div class="fill" [class]="level()" [style.width.%]="clamped()"></div>
    </div>
    @if (detail()) {
      <div class="detail">{{ detail() }}</div>
    }
  `,
  styles: `
    :host {
      display: block;
      margin-bottom: 12px;
    }
    .row {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      font-size: 14px;
    }
    .label {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .value {
      font-variant-numeric: tabular-nums;
    }
    .track {
      height: 10px;
      border-radius: 5px;
      background: var(--tyto-track);
      overflow: hidden;
      margin: 4px 0 2px;
    }
    .fill {
      height: 100%;
      transition: width 300ms ease-out;
    }
    .ok {
      background: var(--tyto-ok);
    }
    .warn {
      background: var(--tyto-warn);
    }
    .critical {
      background: var(--tyto-critical);
    }
    .detail {
      font-size: 12px;
      color: var(--tyto-muted);
    }
  `,
})
export class UsageBarComponent {
  readonly label = input.required<string>();
  readonly percent = input.required<number>();
  readonly detail = input('');

  protected readonly clamped = computed(() => Math.min(100, Math.max(0, this.percent())));
  protected readonly level = computed(() => usageLevel(this.clamped()));
}
