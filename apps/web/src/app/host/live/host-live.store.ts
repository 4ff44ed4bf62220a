import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { Subscription } from 'rxjs';
import { AuthApi } from '../../auth/auth.api';
import type { StreamEvent, StreamStatus } from '../../core/metrics-stream';
import { reconnectWithBackoff } from '../../core/metrics-stream';
import type { HostSnapshot } from '../host.api';
import { HostApi } from '../host.api';

export interface TcpStateCount {
  state: string;
  count: number;
}

// Busiest states first; ties in name order so the list does not shuffle between samples.
export function tcpStates(byState: Readonly<Record<string, number>>): TcpStateCount[] {
  return Object.entries(byState)
    .map(([state, count]) => ({ state, count }))
    .sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

// The latest full snapshot of one host, live over SSE. Provided by the live tab, so the stream
// runs only while it is shown.
@Injectable()
export class HostLiveStore {
  private readonly api = inject(HostApi);
  private readonly authApi = inject(AuthApi);

  private connection: Subscription | null = null;
  private agentId: string | null = null;

  private readonly _status = signal<StreamStatus>('connecting');
  private readonly _snapshot = signal<HostSnapshot | null>(null);

  readonly status = computed(() => this._status());
  readonly snapshot = computed(() => this._snapshot());
  readonly loading = computed(() => this._snapshot() === null);
  readonly tcpStates = computed(() => {
    const snapshot = this._snapshot();
    return snapshot ? tcpStates(snapshot.network.connectionsByState) : [];
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.connection?.unsubscribe());
  }

  connect(agentId: string): void {
    this.connection?.unsubscribe();
    // Reconnecting to the same host keeps the last snapshot on screen under the status banner;
    // another host's numbers must not linger.
    if (agentId !== this.agentId) this._snapshot.set(null);
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
        break;
    }
  }
}
