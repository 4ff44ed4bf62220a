import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  viewChild,
} from '@angular/core';
import type { Color } from '@swimlane/ngx-charts';
import { LineChartComponent, LineChartModule, ScaleType } from '@swimlane/ngx-charts';
import { TimeFormat } from '../format/time-format';
import { SERIES_COLORS, tickCount, timeSpan, timeTicks } from './chart-axis';
import { hostWidth } from './element-width';
import type { BandSeries } from './chart.model';

const PALETTE: Color = {
  name: 'tyto-band',
  selectable: false,
  group: ScaleType.Ordinal,
  domain: SERIES_COLORS,
};

interface TooltipItem {
  name: Date;
  value: number;
  min?: number;
  max?: number;
  series: string;
  color: string;
}

// History over time: each series is its average as a line with the min–max band shaded around
// it. A click anywhere on the plot selects the point under the pointer (the one the tooltip
// shows), which is far easier to hit than ngx-charts' own 5 px circles.
@Component({
  selector: 'tyto-band-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineChartModule],
  template: `
    <div
      class="frame"
      [class.selectable]="selectable()"
      [style.height.px]="height()"
      (click)="onClick()"
    >
      <ngx-charts-line-chart
        [results]="$any(series())"
        [scheme]="palette"
        [animations]="false"
        [xAxis]="true"
        [yAxis]="true"
        [legend]="false"
        [showGridLines]="true"
        [autoScale]="false"
        [xScaleMin]="xMin()"
        [xScaleMax]="xMax()"
        [yScaleMin]="0"
        [yScaleMax]="yMax()"
        [rangeFillOpacity]="0.18"
        [xAxisTicks]="ticks()"
        [rotateXAxisTicks]="false"
        [xAxisTickFormatting]="xTickFormat()"
        [yAxisTickFormatting]="yTickFormat()"
        [roundDomains]="true"
      >
        <ng-template #seriesTooltipTemplate let-model="model">
          <div class="tip">
            <div class="tip-time">{{ tipTime(model) }}</div>
            @for (item of $any(model); track item.series) {
              <div>
                <span class="swatch" [style.background]="item.color"></span>{{ item.series }}:
                <strong>{{ valueFormat()(item.value) }}</strong>
                @if (item.min !== undefined && item.max !== undefined && item.min !== item.max) {
                  (min {{ valueFormat()(item.min) }}, max {{ valueFormat()(item.max) }})
                }
              </div>
            }
          </div>
        </ng-template>
      </ngx-charts-line-chart>
    </div>
    <ul class="legend">
      @for (entry of series(); track entry.name; let i = $index) {
        <li>
          <span
            class="line"
            [class.dashed]="i === 1"
            [style.border-color]="palette.domain[i]"
          ></span
          >{{ entry.name }}
        </li>
      }
      <li class="hint">line: average · band: min–max</li>
    </ul>
  `,
  styles: `
    :host {
      display: block;
    }
    .frame {
      width: 100%;
    }
    .selectable {
      cursor: crosshair;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
      font-size: 13px;
    }
    .line {
      display: inline-block;
      width: 18px;
      border-top: 3px solid;
      vertical-align: middle;
      margin-right: 6px;
    }
    .line.dashed {
      border-top-style: dashed;
    }
    .swatch {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 2px;
      margin-right: 4px;
    }
    .tip {
      text-align: left;
      padding: 4px 2px;
      font-size: 12px;
    }
    .tip-time {
      opacity: 0.85;
      margin-bottom: 2px;
    }
    .hint {
      color: var(--tyto-muted);
    }
  `,
})
export class BandChartComponent {
  private readonly time = inject(TimeFormat);

  readonly series = input.required<readonly BandSeries[]>();
  // 0 lets the axis follow the data (ngx-charts treats a falsy maximum as "none").
  readonly yMax = input(0);
  readonly yTickFormat = input<(value: number) => string>(String);
  // How a value reads in the tooltip, with its unit.
  readonly valueFormat = input<(value: number) => string>(String);
  readonly xTickFormat = input<(value: Date) => string>((value) =>
    this.time.format(value, 'short'),
  );
  readonly height = input(220);
  // Epoch ms of the range asked for, so data covering only part of it shows where that part is;
  // 0 follows the data.
  readonly xMin = input(0);
  readonly xMax = input(0);
  readonly selectable = input(false);
  readonly pointSelected = output<Date>();

  protected readonly palette = PALETTE;
  private readonly chart = viewChild(LineChartComponent);
  private readonly width = hostWidth();
  // Over the range asked for when given, else over the data; as many unrotated labels as fit
  // side by side at this width.
  protected readonly ticks = computed(() => {
    this.time.prefs();
    const span = timeSpan(this.series());
    const min = this.xMin() || span.min;
    const max = this.xMax() || span.max;
    if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
    const count = tickCount(this.width(), this.xTickFormat()(new Date(max)));
    return timeTicks(min, max, count, this.time.utc());
  });

  protected tipTime(model: unknown): string {
    const first = (model as TooltipItem[] | undefined)?.[0];
    return first ? this.time.format(first.name, 'full') : '';
  }

  protected onClick(): void {
    if (!this.selectable()) return;
    // The x value of the point the tooltip is on; unset while the pointer is off the plot.
    const hovered: unknown = this.chart()?.hoveredVertical;
    if (hovered instanceof Date) this.pointSelected.emit(hovered);
  }
}
