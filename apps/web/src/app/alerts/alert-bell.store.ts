import { Injectable, computed, inject, signal } from '@angular/core';
import type { AlertEvent } from '@tyto/contracts';
import { AlertEventSchema } from '@tyto/contracts';
import { Subject, firstValueFrom } from 'rxjs';
import { API_BASE } from '../core/http';
import { EVENT_SOURCE_FACTORY, reconnectDelay } from '../core/metrics-stream';
import { AlertsApi } from './alerts.api';

// The toolbar's bell: the active count from GET /alerts, then kept current by `event: alert`
// from the hub's alert stream, without polling. Pages that list alerts reload on `lastEvent`.
@Injectable({ providedIn: 'root' })
export class AlertBellStore {
  private readonly api = inject(AlertsApi);
  private readonly createEventSource = inject(EVENT_SOURCE_FACTORY);
  private readonly _active = signal<number | null>(null);
  private readonly _lastEvent = signal<AlertEvent | null>(null);
  private source: EventSource | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly _events = new Subject<AlertEvent>();

  readonly active = computed(() => this._active());
  readonly lastEvent = computed(() => this._lastEvent());
  /** Every `event: alert`, one by one (a signal would merge two that arrive together). */
  readonly events = this._events.asObservable();

  start(): void {
    if (this.source) return;
    void this.refresh();
    this.connect();
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  async refresh(): Promise<void> {
    try {
      const res = await firstValueFrom(this.api.list({ state: 'active', limit: 1 }));
      this._active.set(res.total);
    } catch {
      // The error interceptor has said why; the bell keeps its last count.
    }
  }

  private connect(): void {
    const source = this.createEventSource(`${API_BASE}/alerts/stream`);
    this.source = source;
    source.addEventListener('open', () => {
      this.attempt = 0;
    });
    source.addEventListener('alert', (event: MessageEvent<string>) => {
      const parsed = AlertEventSchema.safeParse(JSON.parse(event.data));
      if (!parsed.success) return;
      this._active.set(parsed.data.active);
      this._lastEvent.set(parsed.data);
      this._events.next(parsed.data);
    });
    const giveUp = () => {
      source.close();
      if (this.source !== source) return;
      this.source = null;
      this.retryTimer = setTimeout(() => {
        void this.refresh();
        this.connect();
      }, reconnectDelay(++this.attempt));
    };
    source.addEventListener('end', giveUp);
    source.addEventListener('error', () => {
      if (source.readyState === 2) giveUp();
    });
  }
}
