import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { Subscription } from 'rxjs';
import { AuthApi } from '../../auth/auth.api';
import { Clock } from '../../core/clock';
import { Freshness } from '../../core/freshness';
import type { StreamEvent, StreamStatus } from '../../core/metrics-stream';
import { reconnectWithBackoff } from '../../core/metrics-stream';
import type { HostSnapshot } from '../host.api';
import { HostApi } from '../host.api';

export interface TcpStateCount {
  state: string;
  count: number;
}

// The connection states, busiest first; ties in name order so the list does not shuffle between
// samples. LISTEN is left out: a listening socket is not a connection, and the connection count
// is exactly the sum of the states listed (libs/collector).
export function tcpStates(byState: Readonly<Record<string, number>>): TcpStateCount[] {
  return Object.entries(byState)
    .filter(([state]) => state !== 'LISTEN')
    .map(([state, count]) => ({ state, count }))
    .sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

// The latest full snapshot of one host, live over SSE. Provided by the live tab, so the stream
// runs only while it is shown.
@Injectable()
export class HostLiveStore {
  private readonly api = inject(HostApi);
  private readonly authApi = inject(AuthApi);
  private readonly clock = inject(Clock);

  private connection: Subscription | null = null;
  private agentId: string | null = null;

  private readonly _status = signal<StreamStatus>('connecting');
  private readonly _snapshot = signal<HostSnapshot | null>(null);

  readonly freshness = new Freshness(this.clock.now);
  readonly status = computed(() => this._status());
  readonly stale = this.freshness.stale;
  readonly ageMs = this.freshness.ageMs;
  // Values on screen may not be current: grey them.
  readonly dimmed = computed(() => this.stale() || this._status() !== 'live');
  readonly snapshot = computed(() => this._snapshot());
  readonly loading = computed(() => this._snapshot() === null);
  readonly tcpStates = computed(() => {
    const snapshot = this._snapshot();
    return snapshot ? tcpStates(snapshot.network.connectionsByState) : [];
  });
  readonly listening = computed(() => this._snapshot()?.network.connectionsByState['LISTEN'] ?? 0);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.connection?.unsubscribe());
  }

  connect(agentId: string): void {
    this.connection?.unsubscribe();
    // Reconnecting to the same host keeps the last snapshot on screen under the status banner;
    // another host's numbers must not linger.
    if (agentId !== this.agentId) {
      this._snapshot.set(null);
      this.freshness.reset();
    }
    this.agentId = agentId;
    this._status.set('connecting');
    this.connection = this.api
      .snapshots(agentId)
      .pipe(
        reconnectWithBackoff<StreamEvent<HostSnapshot>>(this.authApi, () =>
          this._status.set('reconnecting'),
        ),
      )
      .subscribe({
        next: (event) => this.apply(event),
        error: () => this._status.set('stopped'),
      });
  }

  private apply(event: StreamEvent<HostSnapshot>): void {
    switch (event.kind) {
      case 'open':
        this._status.set('live');
        break;
      case 'interrupted':
        this._status.set('reconnecting');
        break;
      case 'sample':
        this._status.set('live');
        this._snapshot.set(event.sample);
        this.freshness.record(event.sample.timestamp, this.clock.now());
        break;
    }
  }
}
