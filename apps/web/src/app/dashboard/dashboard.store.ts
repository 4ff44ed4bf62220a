import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { HistoryPoint as ApiHistoryPoint, NetworkInterfaceMetrics } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../auth/auth.api';
import { Clock } from '../core/clock';
import { Freshness } from '../core/freshness';
import type { StreamStatus } from '../core/metrics-stream';
import { reconnectWithBackoff } from '../core/metrics-stream';
import type { TimeSeries } from '../shared/ui/chart.model';
import type { DashboardSample, StreamEvent } from './dashboard.api';
import { DashboardApi } from './dashboard.api';

// The charts show the last hour: drawn from /history on open, then moved by every sample.
export const WINDOW_MS = 60 * 60 * 1000;
// Upper bound on live points kept (an hour at 1 s sampling and then some).
export const HISTORY_LENGTH = 4000;

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

function avgOf(value: unknown): number | null {
  if (typeof value === 'object' && value !== null && 'avg' in value) {
    const avg = (value as { avg: unknown }).avg;
    return typeof avg === 'number' ? avg : null;
  }
  return null;
}

// The hub's stored points of the last hour as chart points (averages of their buckets).
export function pointsFromHistory(data: readonly ApiHistoryPoint[]): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (const p of data) {
    const cpu = avgOf(p['cpu']);
    if (cpu === null) continue;
    points.push({
      time: new Date(p.timestamp),
      cpu,
      rxRate: avgOf(p['net_rx']) ?? 0,
      txRate: avgOf(p['net_tx']) ?? 0,
    });
  }
  return points;
}

// Live state of one host's dashboard. Provided by the dashboard page, so the stream lives exactly
// as long as the page does.
@Injectable()
export class DashboardStore {
  private readonly api = inject(DashboardApi);
  private readonly authApi = inject(AuthApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly clock = inject(Clock);

  private readonly _status = signal<StreamStatus>('connecting');
  private readonly _latest = signal<DashboardSample | null>(null);
  private readonly _history = signal<readonly HistoryPoint[]>([]);

  readonly freshness = new Freshness(this.clock.now);
  readonly status = computed(() => this._status());
  readonly stale = this.freshness.stale;
  readonly ageMs = this.freshness.ageMs;
  readonly loading = computed(() => this._latest() === null);
  readonly latest = computed(() => this._latest());
  readonly system = computed(() => this._latest()?.system ?? null);
  readonly cpuTotal = computed(() => this._latest()?.cpu.totalUsage ?? 0);
  readonly cores = computed(() => this._latest()?.cpu.cores ?? []);
  readonly loadAverage = computed(() => this._latest()?.cpu.loadAverage ?? null);
  readonly memory = computed(() => this._latest()?.memory ?? null);
  readonly mounts = computed(() => this._latest()?.disk.mounts ?? []);
  // Busiest first, so a wall screen shows what is doing work.
  readonly diskIo = computed(() =>
    [...(this._latest()?.disk.io ?? [])]
      .sort((a, b) => b.readRate + b.writeRate - (a.readRate + a.writeRate))
      .slice(0, 5),
  );
  readonly interfaces = computed(() =>
    [...(this._latest()?.network.interfaces ?? [])]
      .filter((i) => i.name !== 'lo')
      .sort((a, b) => b.rxRate + b.txRate - (a.rxRate + a.txRate))
      .slice(0, 5),
  );
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
    void this.prefill(agentId);
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

  // The last hour the hub already stored, under whatever arrived live meanwhile. Without it
  // (no history yet, no answer) the charts simply start from the live samples.
  private async prefill(agentId: string): Promise<void> {
    const to = new Date(this.clock.now());
    const from = new Date(to.getTime() - WINDOW_MS);
    try {
      const history = await firstValueFrom(
        this.api.history({
          agent_id: agentId,
          from: from.toISOString(),
          to: to.toISOString(),
          metrics: 'cpu,net_rx,net_tx',
        }),
      );
      const stored = pointsFromHistory(history.data);
      this._history.update((live) => {
        const firstLive = live[0]?.time.getTime() ?? Infinity;
        return [...stored.filter((p) => p.time.getTime() < firstLive), ...live];
      });
    } catch {
      // Shown by the error interceptor if it matters; the live chart works without it.
    }
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
        this.freshness.record(sample.timestamp, this.clock.now());
        const point: HistoryPoint = {
          time: new Date(sample.timestamp),
          cpu: sample.cpu.totalUsage,
          ...networkTotals(sample.network.interfaces),
        };
        const since = point.time.getTime() - WINDOW_MS;
        this._history.update((history) =>
          [...history, point].filter((p) => p.time.getTime() >= since).slice(-HISTORY_LENGTH),
        );
        break;
      }
    }
  }
}
