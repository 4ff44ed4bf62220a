import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import { BytesPipe } from '../shared/format/bytes.pipe';
import { formatBytes } from '../shared/format/format';
import { UptimePipe } from '../shared/format/uptime.pipe';
import { UsagePipe } from '../shared/format/usage.pipe';
import { CoreBarsComponent } from '../shared/ui/core-bars.component';
import { TimeSeriesChartComponent } from '../shared/ui/time-series-chart.component';
import { LoadingBlockComponent } from '../shared/ui/loading-block.component';
import { StreamStatusComponent } from '../shared/ui/stream-status.component';
import { UsageBarComponent } from '../shared/ui/usage-bar.component';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { DashboardStore } from './dashboard.store';

// The hub's own host; remote agents get their own id once agents are listed in the UI.
const LOCAL_AGENT = LOCAL_AGENT_ID;

@Component({
  selector: 'tyto-dashboard-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [DashboardStore],
  imports: [
    DecimalPipe,
    MatButtonModule,
    MatCardModule,
    RouterLink,
    BytesPipe,
    UptimePipe,
    UsagePipe,
    CoreBarsComponent,
    TimeSeriesChartComponent,
    UsageBarComponent,
    LoadingBlockComponent,
    StreamStatusComponent,
  ],
  template: `
    <tyto-stream-status [status]="store.status()" (reconnect)="reconnect()" />

    @if (store.system(); as system) {
      <header class="host">
        <h1 data-testid="hostname">{{ system.hostname }}</h1>
        <span class="meta">{{ system.os }} · {{ system.kernel }} · {{ system.architecture }}</span>
        <span class="meta">
          up <span data-testid="uptime">{{ system.uptime | uptime }}</span>
        </span>
        <a
          mat-stroked-button
          class="details"
          [routerLink]="['/host', agentId]"
          data-testid="host-details-link"
        >
          Processes, disks, services and history
        </a>
      </header>

      <div class="grid">
        <mat-card appearance="outlined" class="wide">
          <mat-card-header>
            <mat-card-title>CPU</mat-card-title>
            <mat-card-subtitle>
              <span data-testid="cpu-total">{{ store.cpuTotal() | usage }}</span>
              @if (store.loadAverage(); as load) {
                · load {{ load.one | number: '1.2-2' }} {{ load.five | number: '1.2-2' }}
                {{ load.fifteen | number: '1.2-2' }}
              }
              · <span data-testid="cpu-point-count">{{ store.pointCount() }}</span> samples
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <tyto-time-series-chart
              data-testid="cpu-chart"
              [series]="store.cpuSeries()"
              [yMax]="100"
              [yTickFormat]="percentTick"
            />
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined">
          <mat-card-header>
            <mat-card-title>Cores</mat-card-title>
            <mat-card-subtitle>{{ store.cores().length }} logical</mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <tyto-core-bars data-testid="cpu-cores" [cores]="store.cores()" />
          </mat-card-content>
        </mat-card>

        @if (store.memory(); as memory) {
          <mat-card appearance="outlined" data-testid="memory">
            <mat-card-header>
              <mat-card-title>Memory</mat-card-title>
              <mat-card-subtitle>{{ memory.total | bytes }} total</mat-card-subtitle>
            </mat-card-header>
            <mat-card-content>
              <tyto-usage-bar
                label="RAM"
                [percent]="memory.usedPercent"
                [detail]="
                  (memory.used | bytes) + ' used, ' + (memory.available | bytes) + ' available'
                "
              />
              @if (memory.swapTotal > 0) {
                <tyto-usage-bar
                  label="Swap"
                  [percent]="memory.swapPercent"
                  [detail]="(memory.swapUsed | bytes) + ' of ' + (memory.swapTotal | bytes)"
                />
              }
            </mat-card-content>
          </mat-card>
        }

        <mat-card appearance="outlined" class="wide">
          <mat-card-header>
            <mat-card-title>Network</mat-card-title>
            <mat-card-subtitle data-testid="network-rates">
              ↓ {{ store.network().rxRate | bytes }}/s · ↑ {{ store.network().txRate | bytes }}/s
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <tyto-time-series-chart
              data-testid="network-chart"
              [series]="store.networkSeries()"
              [yTickFormat]="rateTick"
              [legend]="true"
            />
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined" data-testid="disks">
          <mat-card-header>
            <mat-card-title>Disks</mat-card-title>
          </mat-card-header>
          <mat-card-content>
            @for (mount of store.mounts(); track mount.mountpoint) {
              <tyto-usage-bar
                [label]="mount.mountpoint"
                [percent]="mount.usedPercent"
                [detail]="
                  (mount.used | bytes) + ' of ' + (mount.total | bytes) + ' · ' + mount.device
                "
              />
            } @empty {
              <p class="empty">No mounted file systems reported.</p>
            }
          </mat-card-content>
        </mat-card>
      </div>
    } @else {
      <tyto-loading-block
        data-testid="dashboard-loading"
        message="Waiting for the first sample from the hub…"
      />
    }
  `,
  styles: `
    .host {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 8px 16px;
      margin-bottom: 16px;
    }
    .host h1 {
      margin: 0;
      font-size: 24px;
    }
    .meta {
      opacity: 0.75;
    }
    .details {
      margin-left: auto;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
      gap: 16px;
    }
    .wide {
      grid-column: span 2;
    }
    @media (max-width: 720px) {
      .wide {
        grid-column: auto;
      }
    }
    .empty {
      opacity: 0.7;
    }
  `,
})
export class DashboardPage {
  protected readonly store = inject(DashboardStore);
  protected readonly agentId = LOCAL_AGENT;

  protected readonly percentTick = (value: number): string => `${value} %`;
  protected readonly rateTick = (value: number): string => `${formatBytes(value, 0)}/s`;

  constructor() {
    this.store.connect(LOCAL_AGENT);
  }

  protected reconnect(): void {
    this.store.connect(LOCAL_AGENT);
  }
}
