import { DecimalPipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import { BytesPipe } from '../shared/format/bytes.pipe';
import { formatAgo, formatBytes } from '../shared/format/format';
import { UptimePipe } from '../shared/format/uptime.pipe';
import { UsagePipe } from '../shared/format/usage.pipe';
import { CoreBarsComponent } from '../shared/ui/core-bars.component';
import { LoadingBlockComponent } from '../shared/ui/loading-block.component';
import { StreamStatusComponent } from '../shared/ui/stream-status.component';
import { TimeSeriesChartComponent } from '../shared/ui/time-series-chart.component';
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
    <tyto-stream-status
      [status]="store.status()"
      [stale]="store.stale()"
      [ageMs]="store.ageMs()"
      (reconnect)="reconnect()"
    />

    @if (store.system(); as system) {
      <header class="host">
        <h1 data-testid="hostname">{{ system.hostname }}</h1>
        <span class="meta">{{ system.os }} · {{ system.kernel }} · {{ system.architecture }}</span>
        <span class="meta">
          up <span data-testid="uptime">{{ system.uptime | uptime }}</span>
        </span>
        <span class="meta" [class.old]="dimmed()" data-testid="last-sample">
          last sample {{ ago() }}
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

      <div class="grid" [class.dimmed]="dimmed()" data-testid="dashboard-grid">
        <mat-card appearance="outlined" class="wide">
          <mat-card-header>
            <mat-card-title>CPU</mat-card-title>
            <mat-card-subtitle>
              <span data-testid="cpu-total">{{ store.cpuTotal() | usage }}</span>
              @if (store.loadAverage(); as load) {
                · load {{ load.one | number: '1.2-2' }} {{ load.five | number: '1.2-2' }}
                {{ load.fifteen | number: '1.2-2' }}
              }
              · last hour, <span data-testid="cpu-point-count">{{ store.pointCount() }}</span>
              points
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            @if (chartsReady()) {
              <tyto-time-series-chart
                data-testid="cpu-chart"
                [series]="store.cpuSeries()"
                [yMax]="100"
                [yTickFormat]="percentTick"
                [valueFormat]="percentValue"
              />
            } @else {
              <div class="chart-space"></div>
            }
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
              <dl class="facts" data-testid="memory-breakdown">
                <dt>Used</dt>
                <dd>{{ memory.used | bytes }}</dd>
                <dt>Cached</dt>
                <dd>{{ memory.cached | bytes }}</dd>
                <dt>Buffers</dt>
                <dd>{{ memory.buffers | bytes }}</dd>
                <dt>Free</dt>
                <dd>{{ memory.free | bytes }}</dd>
              </dl>
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
            @if (chartsReady()) {
              <tyto-time-series-chart
                data-testid="network-chart"
                [series]="store.networkSeries()"
                [yTickFormat]="rateTick"
                [valueFormat]="rateValue"
                [legend]="true"
              />
            } @else {
              <div class="chart-space"></div>
            }
            <table class="mini" data-testid="busiest-interfaces">
              <caption class="sr-only">
                Busiest interfaces
              </caption>
              <thead>
                <tr>
                  <th scope="col">Interface</th>
                  <th scope="col">Receive</th>
                  <th scope="col">Transmit</th>
                </tr>
              </thead>
              <tbody>
                @for (i of store.interfaces(); track i.name) {
                  <tr>
                    <td class="ellipsis" [title]="i.name">{{ i.name }}</td>
                    <td>{{ i.rxRate | bytes }}/s</td>
                    <td>{{ i.txRate | bytes }}/s</td>
                  </tr>
                } @empty {
                  <tr>
                    <td colspan="3" class="empty">Only loopback.</td>
                  </tr>
                }
              </tbody>
            </table>
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
            @if (store.diskIo().length > 0) {
              <table class="mini" data-testid="busiest-disks">
                <caption class="sr-only">
                  Busiest disks
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Disk</th>
                    <th scope="col">Read</th>
                    <th scope="col">Write</th>
                    <th scope="col">Busy</th>
                  </tr>
                </thead>
                <tbody>
                  @for (d of store.diskIo(); track d.device) {
                    <tr>
                      <td class="ellipsis" [title]="d.device">{{ d.device }}</td>
                      <td>{{ d.readRate | bytes }}/s</td>
                      <td>{{ d.writeRate | bytes }}/s</td>
                      <td>{{ d.utilization | number: '1.0-0' }} %</td>
                    </tr>
                  }
                </tbody>
              </table>
            }
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined" data-testid="top-processes">
          <mat-card-header>
            <mat-card-title>Top processes</mat-card-title>
            <mat-card-subtitle>
              {{ processes()?.total ?? 0 }} processes, {{ processes()?.running ?? 0 }} running
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <table class="mini">
              <caption class="sr-only">
                Processes using the most CPU
              </caption>
              <thead>
                <tr>
                  <th scope="col">Process</th>
                  <th scope="col">CPU</th>
                  <th scope="col">Memory</th>
                </tr>
              </thead>
              <tbody>
                @for (p of topProcesses(); track p.pid) {
                  <tr>
                    <td class="ellipsis" [title]="p.command || p.name">{{ p.name }}</td>
                    <td>{{ p.cpu | number: '1.1-1' }} %</td>
                    <td>{{ p.memory | bytes }}</td>
                  </tr>
                } @empty {
                  <tr>
                    <td colspan="3" class="empty">No processes reported.</td>
                  </tr>
                }
              </tbody>
            </table>
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
      gap: 4px 16px;
      margin-bottom: 16px;
    }
    .host h1 {
      margin: 0;
      font-size: 24px;
      overflow-wrap: anywhere;
    }
    .meta {
      color: var(--tyto-muted);
    }
    .old {
      color: var(--tyto-banner-warn-fg);
      font-weight: 500;
    }
    .details {
      margin-left: auto;
    }
    /* The charts' height while they wait for the figures to be on screen first. */
    .chart-space {
      height: 220px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(340px, 100%), 1fr));
      gap: 16px;
      transition: opacity 0.3s;
    }
    .dimmed {
      opacity: 0.55;
      filter: grayscale(1);
    }
    .wide {
      grid-column: span 2;
    }
    @media (max-width: 760px) {
      .wide {
        grid-column: auto;
      }
    }
    .facts {
      display: grid;
      grid-template-columns: repeat(4, auto);
      justify-content: start;
      gap: 2px 12px;
      margin: 4px 0 0;
      font-size: 13px;
    }
    .facts dt {
      color: var(--tyto-muted);
    }
    .facts dd {
      margin: 0;
    }
    .mini {
      width: 100%;
      table-layout: fixed;
      border-collapse: collapse;
      font-size: 13px;
      margin-top: 8px;
    }
    .mini th {
      text-align: left;
      font-weight: 500;
      color: var(--tyto-muted);
    }
    .mini th,
    .mini td {
      padding: 3px 6px 3px 0;
      border-bottom: 1px solid var(--tyto-track);
    }
    .mini th:first-child,
    .mini td:first-child {
      width: 40%;
    }
    .empty {
      color: var(--tyto-muted);
    }
  `,
})
export class DashboardPage {
  protected readonly store = inject(DashboardStore);
  protected readonly agentId = LOCAL_AGENT;

  // Grey the numbers whenever they may not be current.
  protected readonly dimmed = computed(() => this.store.stale() || this.store.status() !== 'live');
  protected readonly ago = computed(() => {
    const age = this.store.ageMs();
    return age === null ? '–' : formatAgo(age);
  });
  protected readonly processes = computed(() => this.store.latest()?.processes ?? null);
  protected readonly topProcesses = computed(() => (this.processes()?.topByCpu ?? []).slice(0, 6));

  protected readonly percentTick = (value: number): string => `${value} %`;
  protected readonly percentValue = (value: number): string => `${value.toFixed(1)} %`;
  protected readonly rateTick = (value: number): string => `${formatBytes(value, 0)}/s`;
  protected readonly rateValue = (value: number): string => `${formatBytes(value)}/s`;

  // The charts (an hour of points each, the page's heaviest rendering) are drawn one frame after
  // the first figures, so those reach the screen first: measured in docs/benchmarks.md.
  protected readonly chartsReady = signal(false);

  constructor() {
    this.store.connect(LOCAL_AGENT);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frame: number | undefined;
    const ref = effect(() => {
      if (this.store.system() === null) return;
      ref.destroy();
      // After the frame that paints the figures: requestAnimationFrame runs before that paint,
      // the timeout after it.
      frame = requestAnimationFrame(() => {
        timer = setTimeout(() => this.chartsReady.set(true));
      });
    });
    inject(DestroyRef).onDestroy(() => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(timer);
    });
  }

  protected reconnect(): void {
    this.store.connect(LOCAL_AGENT);
  }
}
