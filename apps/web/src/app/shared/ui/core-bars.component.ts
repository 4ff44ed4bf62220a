import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { usageLevel } from './usage-bar.component';

export interface CoreUsage {
  id: number;
  usage: number;
  /** MHz; null where the kernel does not expose it. */
  frequency?: number | null;
}

// "2.4" (GHz) fits under a 22 px bar where "2400 MHz" does not.
export function formatGhz(mhz: number | null | undefined): string {
  return mhz === null || mhz === undefined ? '–' : (mhz / 1000).toFixed(1);
}

function coreTitle(core: CoreUsage): string {
  const frequency = core.frequency ? ` at ${Math.round(core.frequency)} MHz` : '';
  return `Core ${core.id}: ${core.usage.toFixed(1)} %${frequency}`;
}

// One vertical bar per CPU core; many-core hosts wrap onto more rows instead of shrinking bars.
@Component({
  selector: 'tyto-core-bars',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="cores">
      @for (core of cores(); track core.id) {
        <div class="core" [title]="title(core)">
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
          @if (showFrequency()) {
            <span class="ghz" data-testid="core-frequency">{{ ghz(core.frequency) }}</span>
          }
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
    .id,
    .ghz {
      font-size: 11px;
      color: var(--tyto-muted);
    }
    .ghz {
      font-size: 10px;
    }
  `,
})
export class CoreBarsComponent {
  readonly cores = input.required<readonly CoreUsage[]>();
  // Adds each core's clock in GHz under its bar.
  readonly showFrequency = input(false);

  protected readonly level = usageLevel;
  protected readonly title = coreTitle;
  protected readonly ghz = formatGhz;

  protected clamp(value: number): number {
    return Math.min(100, Math.max(0, value));
  }
}
