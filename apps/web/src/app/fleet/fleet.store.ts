import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { Agent, AgentStatus, AlertEvent, MetricsSnapshot } from '@tyto/contracts';
import type { Subscription } from 'rxjs';
import { timer } from 'rxjs';
import { AlertBellStore } from '../alerts/alert-bell.store';
import { AlertsApi } from '../alerts/alerts.api';
import { AuthApi } from '../auth/auth.api';
import { AuthStore } from '../auth/auth.store';
import type { StreamEvent, StreamStatus } from '../core/metrics-stream';
import { reconnectWithBackoff } from '../core/metrics-stream';
import type { FleetFrame } from './fleet.api';
import { FleetApi } from './fleet.api';
import type { FleetSortKey, FleetStatusFilter, SparkPoint } from './fleet-model';
import { alertCounts, appendSpark, filterHosts, fleetHosts, sortHosts } from './fleet-model';

/** How often the registry list (statuses, new hosts) is read again while the page is open. */
export const AGENTS_REFRESH_MS = 10_000;
/** The most active alerts one GET /alerts returns (the contract's cap). */
const ALERTS_PAGE = 500;

// The fleet overview's state: the newest sample of every host from the `?view=fleet` stream, the
// registry's list of agents (with agents:view), and each card's hour of CPU. Provided by the page.
@Injectable()
export class FleetStore {
  private readonly api = inject(FleetApi);
  private readonly authApi = inject(AuthApi);
  private readonly auth = inject(AuthStore);
  private readonly destroyRef = inject(DestroyRef);
  private readonly alertsApi = inject(AlertsApi);
  private readonly bell = inject(AlertBellStore);

  private readonly _status = signal<StreamStatus>('connecting');
  private readonly _agents = signal<readonly Agent[] | null>(null);
  private readonly _agentsAt = signal(0);
  private readonly _samples = signal<ReadonlyMap<string, MetricsSnapshot>>(new Map());
  private readonly _sampleSeenAt = new Map<string, number>();
  private readonly _sparks = signal<ReadonlyMap<string, readonly SparkPoint[]>>(new Map());
  private readonly historyRequested = new Set<string>();
  private readonly _frames = signal(0);
  // Active alert id → the host it is on; null until read (or without alerts:view).
  private readonly _activeAlerts = signal<ReadonlyMap<string, string> | null>(null);
  private alertsWatched = false;
  private refreshing = false;
  private streamSub: Subscription | null = null;

  readonly sort = signal<FleetSortKey>('name');
  readonly text = signal('');
  readonly statusFilter = signal<FleetStatusFilter>('all');

  readonly status = computed(() => this._status());
  /** True until the first frame (or the registry list) says which hosts there are. */
  readonly loading = computed(() => this._frames() === 0 && this._agents() === null);

  private readonly all = computed(() => {
    const active = this._activeAlerts();
    const hosts = fleetHosts(
      this._agents(),
      this._samples(),
      this._sparks(),
      active ? alertCounts(active) : null,
    );
    const listedAt = this._agentsAt();
    // A sample newer than the registry list means the host is talking now, whatever the list said.
    return hosts.map((h) =>
      h.status === 'offline' && (this._sampleSeenAt.get(h.id) ?? 0) > listedAt
        ? { ...h, status: 'online' as AgentStatus }
        : h,
    );
  });
  readonly hosts = computed(() =>
    sortHosts(filterHosts(this.all(), this.text(), this.statusFilter()), this.sort()),
  );
  readonly total = computed(() => this.all().length);
  readonly counts = computed(() => {
    const counts: Record<AgentStatus, number> = { online: 0, offline: 0, pending: 0, revoked: 0 };
    for (const h of this.all()) counts[h.status]++;
    return counts;
  });

  connect(): void {
    this._status.set('connecting');
    // Reconnect after the stream stopped: the old subscription is done, a new one starts.
    this.streamSub?.unsubscribe();
    this.streamSub = this.api
      .frames()
      .pipe(
        reconnectWithBackoff<StreamEvent<FleetFrame>>(this.authApi, () =>
          this._status.set('reconnecting'),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: (event) => this.apply(event),
        error: () => this._status.set('stopped'),
      });
    if (!this.alertsWatched && this.auth.can('alerts:view')) {
      this.alertsWatched = true;
      // Kept current by every `event: alert` the toolbar's bell receives, and read again with the
      // registry list so a change missed while the stream reconnected is not kept for long.
      this.bell.events
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe((event) => this.applyAlert(event));
      timer(0, AGENTS_REFRESH_MS)
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe(() => this.loadAlerts());
    }
    if (!this.refreshing && this.auth.can('agents:view')) {
      this.refreshing = true;
      timer(0, AGENTS_REFRESH_MS)
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe(() => this.loadAgents());
    }
  }

  private loadAgents(): void {
    const at = Date.now();
    this.api.agents().subscribe({
      next: (res) => {
        this._agentsAt.set(at);
        this._agents.set(res.agents);
        for (const a of res.agents)
          if (a.status === 'online' || a.status === 'offline') this.loadHistory(a.id);
      },
      // Shown by the error interceptor; the cards keep what the stream says.
      error: () => undefined,
    });
  }

  private loadAlerts(): void {
    this.alertsApi.list({ state: 'active', limit: ALERTS_PAGE }).subscribe({
      next: (res) => this._activeAlerts.set(new Map(res.alerts.map((a) => [a.id, a.agent_id]))),
      // Shown by the error interceptor; the cards keep their last counts.
      error: () => undefined,
    });
  }

  private applyAlert({ alert }: AlertEvent): void {
    this._activeAlerts.update((active) => {
      const next = new Map(active ?? []);
      if (alert.resolved_at === null) next.set(alert.id, alert.agent_id);
      else next.delete(alert.id);
      return next;
    });
  }

  private loadHistory(agentId: string): void {
    if (this.historyRequested.has(agentId)) return;
    this.historyRequested.add(agentId);
    this.api
      .cpuHistory(agentId, new Date())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (points) =>
          this._sparks.update((sparks) => {
            const live = sparks.get(agentId) ?? [];
            const newest = points[points.length - 1]?.time ?? 0;
            const merged = [...points, ...live.filter((p) => p.time > newest)];
            return new Map(sparks).set(agentId, merged);
          }),
        // No history yet (a new host) is not an error worth showing: the live points fill it.
        error: () => undefined,
      });
  }

  private apply(event: StreamEvent<FleetFrame>): void {
    switch (event.kind) {
      case 'open':
        this._status.set('live');
        return;
      case 'interrupted':
        this._status.set('reconnecting');
        return;
      case 'sample': {
        this._status.set('live');
        this._frames.update((n) => n + 1);
        const { samples } = event.sample;
        if (samples.length === 0) return;
        const now = Date.now();
        this._samples.update((map) => {
          const next = new Map(map);
          for (const s of samples) next.set(s.agent_id, s);
          return next;
        });
        this._sparks.update((map) => {
          const next = new Map(map);
          for (const s of samples) {
            const point = { time: Date.parse(s.timestamp), cpu: s.cpu.totalUsage };
            next.set(s.agent_id, appendSpark(next.get(s.agent_id) ?? [], point, now));
          }
          return next;
        });
        for (const s of samples) {
          this._sampleSeenAt.set(s.agent_id, now);
          this.loadHistory(s.agent_id);
        }
      }
    }
  }
}
