import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { Color } from '@swimlane/ngx-charts';
import { LineChartModule, ScaleType } from '@swimlane/ngx-charts';
import { TimeFormat } from '../format/time-format';
import { SERIES_COLORS, pointCount, tickCount, timeSpan, timeTicks } from './chart-axis';
import { hostWidth } from './element-width';
import type { TimeSeries } from './chart.model';

const PALETTE: Color = {
  name: 'tyto',
  selectable: false,
  group: ScaleType.Ordinal,
  domain: SERIES_COLORS,
};

interface TooltipItem {
  name: Date;
  value: number;
  series: string;
  color: string;
}

// A live line chart over time. It takes a fresh `series` array per sample; animations are off
// because a transition per second only costs CPU on the machine being watched. Five unrotated
// time ticks, the unit on the axis and in the tooltip (with the time). The legend is its own
// compact list: ngx-charts' legend is sized for dashboards of many series and overflows a card.
@Component({
  selector: 'tyto-time-series-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineChartModule],
  template: `
    <div class="frame" [style.height.px]="height()">
      @if (points() >= 2) {
        <ngx-charts-line-chart
          [results]="$any(series())"
          [scheme]="palette"
          [animations]="false"
          [xAxis]="true"
          [yAxis]="true"
          [legend]="false"
          [showGridLines]="true"
          [autoScale]="false"
          [yScaleMin]="0"
          [yScaleMax]="yMax()"
          [xAxisTicks]="ticks()"
          [rotateXAxisTicks]="false"
          [xAxisTickFormatting]="formatX()"
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
                </div>
              }
            </div>
          </ng-template>
        </ngx-charts-line-chart>
      } @else {
        <p class="collecting">Collecting samples: the chart starts with the second one.</p>
      }
    </div>
    @if (legend()) {
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
      </ul>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .frame {
      width: 100%;
    }
    .collecting {
      margin: 0;
      padding-top: 40px;
      text-align: center;
      color: var(--tyto-muted);
    }
    .legend {
      display: flex;
      gap: 16px;
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
    .tip {
      text-align: left;
      padding: 4px 2px;
      font-size: 12px;
    }
    .tip-time {
      opacity: 0.85;
      margin-bottom: 2px;
    }
    .swatch {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 2px;
      margin-right: 4px;
    }
  `,
})
export class TimeSeriesChartComponent {
  private readonly time = inject(TimeFormat);

  readonly series = input.required<readonly TimeSeries[]>();
  // 0 lets the axis follow the data (ngx-charts treats a falsy maximum as "none").
  readonly yMax = input(0);
  readonly yTickFormat = input<(value: number) => string>(String);
  // How a value reads in the tooltip, with its unit.
  readonly valueFormat = input<(value: number) => string>(String);
  readonly legend = input(false);
  readonly height = input(220);

  protected readonly palette = PALETTE;
  private readonly width = hostWidth();
  protected readonly points = computed(() => pointCount(this.series()));
  protected readonly formatX = computed(() => {
    this.time.prefs();
    const { min, max } = timeSpan(this.series());
    // Seconds only matter on a span of a few minutes.
    const style = max - min <= 10 * 60_000 ? 'time' : 'minute';
    return (value: Date) => this.time.format(value, style);
  });
  // As many unrotated labels as fit side by side at this width (a phone gets two or three).
  protected readonly ticks = computed(() => {
    const { min, max } = timeSpan(this.series());
    if (!Number.isFinite(min)) return [];
    const count = tickCount(this.width(), this.formatX()(new Date(max)));
    return timeTicks(min, max, count, this.time.utc());
  });

  protected tipTime(model: unknown): string {
    const first = (model as TooltipItem[] | undefined)?.[0];
    return first ? this.time.format(first.name, 'time') : '';
  }
}
