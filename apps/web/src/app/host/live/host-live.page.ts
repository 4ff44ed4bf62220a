import { DecimalPipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  untracked,
} from '@angular/core';
import type {
  ContainerMetrics,
  DiskIo,
  DiskMount,
  NetworkInterfaceMetrics,
  SystemdService,
  TemperatureSensor,
} from '@tyto/contracts';
import { AuthStore } from '../../auth/auth.store';
import { BytesPipe } from '../../shared/format/bytes.pipe';
import { formatAgo } from '../../shared/format/format';
import { TimePipe } from '../../shared/format/time.pipe';
import { UptimePipe } from '../../shared/format/uptime.pipe';
import { CoreBarsComponent } from '../../shared/ui/core-bars.component';
import { DataTableComponent } from '../../shared/ui/data-table.component';
import { SectionCardComponent } from '../../shared/ui/section-card.component';
import { LoadingBlockComponent } from '../../shared/ui/loading-block.component';
import { StreamStatusComponent } from '../../shared/ui/stream-status.component';
import { UsageBarComponent } from '../../shared/ui/usage-bar.component';
import type { ProcessRow } from '../host-columns';
import {
  CONTAINER_COLUMNS,
  DISK_IO_COLUMNS,
  INTERFACE_COLUMNS,
  MOUNT_COLUMNS,
  PROCESS_COLUMNS,
  SERVICE_COLUMNS,
  TEMPERATURE_COLUMNS,
} from '../host-columns';
import { HostStore } from '../host.store';
import { ExportButtonsComponent } from '../export-buttons.component';
import { HostLiveStore } from './host-live.store';

// Every section of the host's latest snapshot, updated with each sample.
@Component({
  selector: 'tyto-host-live-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [HostLiveStore],
  imports: [
    TimePipe,
    DecimalPipe,
    BytesPipe,
    UptimePipe,
    CoreBarsComponent,
    DataTableComponent,
    ExportButtonsComponent,
    SectionCardComponent,
    UsageBarComponent,
    LoadingBlockComponent,
    StreamStatusComponent,
  ],
  template: `
    <tyto-stream-status
      [status]="live.status()"
      [stale]="live.stale()"
      [ageMs]="live.ageMs()"
      (reconnect)="reconnect()"
    />

    @if (live.snapshot(); as s) {
      <header class="host">
        <div>
          <h1 data-testid="hostname">{{ s.system.hostname }}</h1>
          <div class="meta">
            {{ s.system.os }} · {{ s.system.kernel }} · {{ s.system.architecture }} · up
            {{ s.system.uptime | uptime }} (booted {{ s.system.bootTime | time: 'datetime' }})
          </div>
          <div class="meta" [class.old]="live.dimmed()" data-testid="last-sample">
            Last sample {{ s.timestamp | time: 'time' }} ({{ ago() }})
          </div>
        </div>
        @if (canExport()) {
          <tyto-export-buttons
            scope="snapshot"
            label="Export snapshot"
            [busy]="host.exporting()"
            [error]="host.snapshotExportError()"
            (exportAs)="host.export($event)"
          />
        }
      </header>

      <div class="grid" [class.dimmed]="live.dimmed()" data-testid="host-live-grid">
        <tyto-section-card
          class="wide"
          heading="CPU"
          [subtitle]="s.cpu.model + ' · ' + s.cpu.cores.length + ' logical cores'"
          data-testid="section-cpu"
        >
          <div class="split">
            <div>
              <tyto-usage-bar label="Total" [percent]="s.cpu.totalUsage" />
              <tyto-usage-bar label="User" [percent]="s.cpu.user" />
              <tyto-usage-bar label="System" [percent]="s.cpu.system" />
              <tyto-usage-bar label="I/O wait" [percent]="s.cpu.iowait" />
              <tyto-usage-bar label="Steal" [percent]="s.cpu.steal" />
              <p class="meta">
                Load {{ s.cpu.loadAverage.one | number: '1.2-2' }} ·
                {{ s.cpu.loadAverage.five | number: '1.2-2' }} ·
                {{ s.cpu.loadAverage.fifteen | number: '1.2-2' }}
                <span class="hint">(1, 5, 15 min)</span>
              </p>
            </div>
            <div>
              <h3>Cores <span class="hint">usage, clock in GHz</span></h3>
              <tyto-core-bars
                data-testid="host-cores"
                [cores]="s.cpu.cores"
                [showFrequency]="true"
              />
            </div>
          </div>
        </tyto-section-card>

        <tyto-section-card
          heading="Memory"
          [subtitle]="(s.memory.total | bytes) + ' total'"
          data-testid="section-memory"
        >
          <tyto-usage-bar
            label="RAM"
            [percent]="s.memory.usedPercent"
            [detail]="
              (s.memory.used | bytes) + ' used, ' + (s.memory.available | bytes) + ' available'
            "
          />
          @if (s.memory.swapTotal > 0) {
            <tyto-usage-bar
              label="Swap"
              [percent]="s.memory.swapPercent"
              [detail]="(s.memory.swapUsed | bytes) + ' of ' + (s.memory.swapTotal | bytes)"
            />
          } @else {
            <p class="meta">No swap configured.</p>
          }
          <dl class="facts">
            <dt>Free</dt>
            <dd>{{ s.memory.free | bytes }}</dd>
            <dt>Buffers</dt>
            <dd>{{ s.memory.buffers | bytes }}</dd>
            <dt>Cached</dt>
            <dd>{{ s.memory.cached | bytes }}</dd>
          </dl>
        </tyto-section-card>

        <tyto-section-card
          class="full"
          heading="Processes"
          [subtitle]="s.processes.total + ' total · ' + s.processes.running + ' running'"
          data-testid="section-processes"
        >
          <div class="split">
            <div>
              <h3>Top by CPU</h3>
              <tyto-data-table
                data-testid="processes-by-cpu"
                [rows]="s.processes.topByCpu"
                [columns]="processColumns"
                [rowKey]="processKey"
                emptyText="No processes reported."
              />
            </div>
            <div>
              <h3>Top by memory</h3>
              <tyto-data-table
                data-testid="processes-by-memory"
                [rows]="s.processes.topByMemory"
                [columns]="processColumns"
                [rowKey]="processKey"
                emptyText="No processes reported."
              />
            </div>
          </div>
        </tyto-section-card>

        <tyto-section-card class="full" heading="Disks" data-testid="section-disks">
          <tyto-data-table
            data-testid="disk-mounts"
            [rows]="s.disk.mounts"
            [columns]="mountColumns"
            [rowKey]="mountKey"
            emptyText="No mounted file systems reported."
          />
          <h3>I/O</h3>
          <tyto-data-table
            data-testid="disk-io"
            [rows]="s.disk.io"
            [columns]="diskIoColumns"
            [rowKey]="deviceKey"
            emptyText="No block devices reported."
          />
        </tyto-section-card>

        <tyto-section-card
          class="full"
          heading="Network"
          [subtitle]="
            s.network.connectionCount +
            ' TCP connections · ' +
            live.listening() +
            ' listening sockets'
          "
          data-testid="section-network"
        >
          <tyto-data-table
            data-testid="network-interfaces"
            [rows]="s.network.interfaces"
            [columns]="interfaceColumns"
            [rowKey]="interfaceKey"
            emptyText="No network interfaces reported."
          />
          <h3>
            TCP connections by state
            <span class="hint">(they add up to the count above; listening sockets apart)</span>
          </h3>
          <ul class="states" data-testid="tcp-states">
            @for (entry of live.tcpStates(); track entry.state) {
              <li>
                {{ entry.state }} <strong>{{ entry.count }}</strong>
              </li>
            } @empty {
              <li class="meta">No TCP connections.</li>
            }
          </ul>
        </tyto-section-card>

        <tyto-section-card
          heading="Temperatures"
          [available]="s.temperature.available"
          [reason]="s.temperature.reason"
          data-testid="section-temperature"
        >
          <tyto-data-table
            [rows]="s.temperature.sensors"
            [columns]="temperatureColumns"
            [rowKey]="sensorKey"
            emptyText="No sensors reported."
          />
        </tyto-section-card>

        <tyto-section-card
          heading="GPUs"
          [available]="s.gpu.available"
          [reason]="s.gpu.reason"
          data-testid="section-gpu"
        >
          @for (gpu of s.gpu.gpus; track gpu.index) {
            <div class="gpu" data-testid="gpu-card">
              <div class="gpu-name">
                <strong>{{ gpu.name }}</strong>
                <span class="meta">#{{ gpu.index }} · {{ gpu.vendor }}</span>
              </div>
              @if (gpu.utilization !== null) {
                <tyto-usage-bar label="Utilization" [percent]="gpu.utilization" />
              }
              @if (gpu.memoryUsed !== null && gpu.memoryTotal) {
                <tyto-usage-bar
                  label="Memory"
                  [percent]="(gpu.memoryUsed / gpu.memoryTotal) * 100"
                  [detail]="(gpu.memoryUsed | bytes) + ' of ' + (gpu.memoryTotal | bytes)"
                />
              }
              <div class="meta">
                @if (gpu.temperature !== null) {
                  {{ gpu.temperature | number: '1.0-0' }} °C
                }
                @if (gpu.powerWatts !== null) {
                  · {{ gpu.powerWatts | number: '1.0-0' }} W
                }
              </div>
            </div>
          } @empty {
            <p class="meta">No GPUs found.</p>
          }
        </tyto-section-card>

        <tyto-section-card
          class="full"
          heading="Docker containers"
          [subtitle]="s.docker.containers.length + ' containers'"
          [available]="s.docker.available"
          [reason]="s.docker.reason"
          data-testid="section-docker"
        >
          <tyto-data-table
            data-testid="docker-containers"
            [rows]="s.docker.containers"
            [columns]="containerColumns"
            [rowKey]="containerKey"
            [filterable]="true"
            [initialSort]="{ column: 'name', direction: 'asc' }"
            [maxHeight]="480"
            emptyText="No containers."
          />
        </tyto-section-card>

        <tyto-section-card
          class="full"
          heading="systemd services"
          [subtitle]="s.systemd.services.length + ' units'"
          [available]="s.systemd.available"
          [reason]="s.systemd.reason"
          data-testid="section-systemd"
        >
          <tyto-data-table
            data-testid="systemd-services"
            [rows]="s.systemd.services"
            [columns]="serviceColumns"
            [rowKey]="serviceKey"
            [filterable]="true"
            [initialSort]="{ column: 'name', direction: 'asc' }"
            [maxHeight]="480"
            emptyText="No services."
          />
        </tyto-section-card>
      </div>
    } @else {
      <tyto-loading-block
        data-testid="host-loading"
        message="Waiting for the first sample from the hub…"
      />
    }
  `,
  styles: `
    .host {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: flex-start;
      gap: 8px 16px;
      margin-bottom: 16px;
    }
    .host h1 {
      margin: 0 0 4px;
      font-size: 24px;
    }
    .meta,
    .hint {
      color: var(--tyto-muted);
      font-size: 14px;
    }
    .old {
      color: var(--tyto-banner-warn-fg);
      font-weight: 500;
    }
    .dimmed {
      opacity: 0.55;
      filter: grayscale(1);
    }
    .hint {
      font-size: 12px;
      font-weight: normal;
    }
    h3 {
      font-size: 15px;
      font-weight: 500;
      margin: 16px 0 8px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr));
      gap: 16px;
    }
    .wide {
      grid-column: span 2;
    }
    .full {
      grid-column: 1 / -1;
    }
    @media (max-width: 720px) {
      .wide {
        grid-column: auto;
      }
    }
    .split {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr));
      gap: 16px 24px;
    }
    .facts {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 2px 12px;
      margin: 8px 0 0;
      font-size: 14px;
    }
    .facts dd {
      margin: 0;
    }
    .states {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .states li {
      padding: 4px 10px;
      border-radius: 12px;
      background: var(--tyto-track);
      font-size: 13px;
    }
    .gpu + .gpu {
      border-top: 1px solid var(--tyto-track);
      margin-top: 12px;
      padding-top: 12px;
    }
    .gpu-name {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      margin-bottom: 8px;
    }
  `,
})
export class HostLivePage {
  protected readonly live = inject(HostLiveStore);
  protected readonly ago = computed(() => {
    const age = this.live.ageMs();
    return age === null ? '–' : formatAgo(age);
  });
  protected readonly host = inject(HostStore);
  private readonly auth = inject(AuthStore);

  protected readonly processColumns = PROCESS_COLUMNS;
  protected readonly mountColumns = MOUNT_COLUMNS;
  protected readonly diskIoColumns = DISK_IO_COLUMNS;
  protected readonly interfaceColumns = INTERFACE_COLUMNS;
  protected readonly temperatureColumns = TEMPERATURE_COLUMNS;
  protected readonly containerColumns = CONTAINER_COLUMNS;
  protected readonly serviceColumns = SERVICE_COLUMNS;

  protected readonly processKey = (p: ProcessRow) => p.pid;
  protected readonly mountKey = (m: DiskMount) => m.mountpoint;
  protected readonly deviceKey = (d: DiskIo) => d.device;
  protected readonly interfaceKey = (i: NetworkInterfaceMetrics) => i.name;
  protected readonly sensorKey = (s: TemperatureSensor) => s.name;
  protected readonly containerKey = (c: ContainerMetrics) => c.id;
  protected readonly serviceKey = (s: SystemdService) => s.name;

  constructor() {
    effect(() => {
      const agentId = this.host.agentId();
      untracked(() => this.live.connect(agentId));
    });
  }

  protected canExport(): boolean {
    return this.auth.can('metrics:export');
  }

  protected reconnect(): void {
    this.live.connect(this.host.agentId());
  }
}
