import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { NetworkInterfaceMetrics } from '@tyto/contracts';
import { AuthApi } from '../auth/auth.api';
import type { StreamStatus } from '../core/metrics-stream';
import { reconnectWithBackoff } from '../core/metrics-stream';
import type { TimeSeries } from '../shared/ui/chart.model';
import type { DashboardSample, StreamEvent } from './dashboard.api';
import { DashboardApi } from './dashboard.api';

// About five minutes at the default 5 s sampling interval.
export const HISTORY_LENGTH = 60;

interface HistoryPoint {
  time: Date;
  cpu: number;
  rxRate: number;
  txRate: number;
}

// Interface totals without loopback, which only counts the host talking to itself; a host that
// only has loopback (a bare container) still gets its numbers.
function networkTotals(interfaces: readonly NetworkInterfaceMetrics[]): {
  rxRate: number;
  txRate: number;
} {
  const external = interfaces.filter((i) => i.name !== 'lo');
  const counted = external.length > 0 ? external : interfaces;
  return {
    rxRate: counted.reduce((sum, i) => sum + i.rxRate, 0),
    txRate: counted.reduce((sum, i) => sum + i.txRate, 0),
  };
}

// Live state of one host's dashboard. Provided by the dashboard page, so the stream lives exactly
// as long as the page does.
@Injectable()
export class DashboardStore {
  private readonly api = inject(DashboardApi);
  private readonly authApi = inject(AuthApi);
  private readonly destroyRef = inject(DestroyRef);

  private readonly _status = signal<StreamStatus>('connecting');
  private readonly _latest = signal<DashboardSample | null>(null);
  private readonly _history = signal<readonly HistoryPoint[]>([]);

  readonly status = computed(() => this._status());
  readonly loading = computed(() => this._latest() === null);
  readonly system = computed(() => this._latest()?.system ?? null);
  readonly cpuTotal = computed(() => this._latest()?.cpu.totalUsage ?? 0);
  readonly cores = computed(() => this._latest()?.cpu.cores ?? []);
  readonly loadAverage = computed(() => this._latest()?.cpu.loadAverage ?? null);
  readonly memory = computed(() => this._latest()?.memory ?? null);
  readonly mounts = computed(() => this._latest()?.disk.mounts ?? []);
  readonly network = computed(() => {
    const latest = this._latest();
    return latest ? networkTotals(latest.network.interfaces) : { rxRate: 0, txRate: 0 };
  });
  readonly pointCount = computed(() => this._history().length);
  readonly cpuSeries = computed<TimeSeries[]>(() => [
    { name: 'CPU', series: this._history().map((p) => ({ name: p.time, value: p.cpu })) },
  ]);
  readonly networkSeries = computed<TimeSeries[]>(() => {
    const history = this._history();
    return [
      { name: 'Receive', series: history.map((p) => ({ name: p.time, value: p.rxRate })) },
      { name: 'Transmit', series: history.map((p) => ({ name: p.time, value: p.txRate })) },
    ];
  });

  connect(agentId: string): void {
    this._status.set('connecting');
    this.api
      .metrics(agentId)
      .pipe(
        reconnectWithBackoff<StreamEvent>(this.authApi, () => this._status.set('reconnecting')),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: (event) => this.apply(event),
        error: () => this._status.set('stopped'),
      });
  }

  private apply(event: StreamEvent): void {
    switch (event.kind) {
      case 'open':
        this._status.set('live');
        break;
      case 'interrupted':
        this._status.set('reconnecting');
        break;
      case 'sample': {
        const { sample } = event;
        this._status.set('live');
        this._latest.set(sample);
        const point: HistoryPoint = {
          time: new Date(sample.timestamp),
          cpu: sample.cpu.totalUsage,
          ...networkTotals(sample.network.interfaces),
        };
        this._history.update((history) => [...history, point].slice(-HISTORY_LENGTH));
        break;
      }
    }
  }
}
