import { ChangeDetectionStrategy, Component, input, output, viewChild } from '@angular/core';
import type { Color } from '@swimlane/ngx-charts';
import { LineChartComponent, LineChartModule, ScaleType } from '@swimlane/ngx-charts';
import type { BandSeries } from './chart.model';

const PALETTE: Color = {
  name: 'tyto-band',
  selectable: false,
  group: ScaleType.Ordinal,
  domain: ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a'],
};

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
        [xAxisTickFormatting]="xTickFormat()"
        [yAxisTickFormatting]="yTickFormat()"
        [roundDomains]="true"
      />
    </div>
    <ul class="legend">
      @for (entry of series(); track entry.name; let i = $index) {
        <li><span class="swatch" [style.background]="palette.domain[i]"></span>{{ entry.name }}</li>
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
    .swatch {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin-right: 6px;
    }
    .hint {
      opacity: 0.6;
    }
  `,
})
export class BandChartComponent {
  readonly series = input.required<readonly BandSeries[]>();
  // 0 lets the axis follow the data (ngx-charts treats a falsy maximum as "none").
  readonly yMax = input(0);
  readonly yTickFormat = input<(value: number) => string>(String);
  readonly xTickFormat = input<(value: Date) => string>((value) => value.toLocaleString());
  readonly height = input(220);
  // Epoch ms of the range asked for, so data covering only part of it shows where that part is;
  // 0 follows the data.
  readonly xMin = input(0);
  readonly xMax = input(0);
  readonly selectable = input(false);
  readonly pointSelected = output<Date>();

  protected readonly palette = PALETTE;
  private readonly chart = viewChild(LineChartComponent);

  protected onClick(): void {
    if (!this.selectable()) return;
    // The x value of the point the tooltip is on; unset while the pointer is off the plot.
    const hovered: unknown = this.chart()?.hoveredVertical;
    if (hovered instanceof Date) this.pointSelected.emit(hovered);
  }
}
