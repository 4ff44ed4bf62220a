import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { Color } from '@swimlane/ngx-charts';
import { LineChartModule, ScaleType } from '@swimlane/ngx-charts';
import type { TimeSeries } from './chart.model';

const PALETTE: Color = {
  name: 'tyto',
  selectable: false,
  group: ScaleType.Ordinal,
  domain: ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a'],
};

function clockTime(value: Date): string {
  return value.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// A live line chart over time. It takes a fresh `series` array per sample; animations are off
// because a transition per second only costs CPU on the machine being watched. The legend is its
// own compact list: ngx-charts' legend is sized for dashboards of many series and overflows a card.
@Component({
  selector: 'tyto-time-series-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineChartModule],
  template: `
    <div class="frame" [style.height.px]="height()">
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
        [xAxisTickFormatting]="formatX"
        [yAxisTickFormatting]="yTickFormat()"
        [roundDomains]="true"
      />
    </div>
    @if (legend()) {
      <ul class="legend">
        @for (entry of series(); track entry.name; let i = $index) {
          <li>
            <span class="swatch" [style.background]="palette.domain[i]"></span>{{ entry.name }}
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
    .legend {
      display: flex;
      gap: 16px;
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
      font-size: 13px;
    }
    .swatch {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin-right: 6px;
    }
  `,
})
export class TimeSeriesChartComponent {
  readonly series = input.required<readonly TimeSeries[]>();
  // 0 lets the axis follow the data (ngx-charts treats a falsy maximum as "none").
  readonly yMax = input(0);
  readonly yTickFormat = input<(value: number) => string>(String);
  readonly legend = input(false);
  readonly height = input(220);

  protected readonly palette = PALETTE;
  protected readonly formatX = clockTime;
}
