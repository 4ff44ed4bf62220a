import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { usageLevel } from './usage-bar.component';

export interface CoreUsage {
  id: number;
  usage: number;
}

// One vertical bar per CPU core; many-core hosts wrap onto more rows instead of shrinking bars.
@Component({
  selector: 'tyto-core-bars',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="cores">
      @for (core of cores(); track core.id) {
        <div class="core" [title]="'Core ' + core.id + ': ' + core.usage.toFixed(1) + ' %'">
          <div
            class="track"
            role="progressbar"
            [attr.aria-label]="'Core ' + core.id"
            aria-valuemin="0"
            aria-valuemax="100"
            [attr.aria-valuenow]="core.usage"
          >
            <div
              class="fill"
              [class]="level(core.usage)"
              [style.height.%]="clamp(core.usage)"
            ></div>
          </div>
          <span class="id">{{ core.id }}</span>
        </div>
      }
    </div>
  `,
  styles: `
    .cores {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(22px, 1fr));
      gap: 6px;
    }
    .core {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 2px;
    }
    .track {
      width: 100%;
      height: 90px;
      border-radius: 3px;
      background: var(--tyto-track);
      display: flex;
      align-items: flex-end;
      overflow: hidden;
    }
    .fill {
      width: 100%;
      transition: height 300ms ease-out;
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
    .id {
      font-size: 11px;
      opacity: 0.7;
    }
  `,
})
export class CoreBarsComponent {
  readonly cores = input.required<readonly CoreUsage[]>();

  protected readonly level = usageLevel;

  protected clamp(value: number): number {
    return Math.min(100, Math.max(0, value));
  }
}
