import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import type { Alert, AlertConfig, Silence } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/http';
import { AlertBellStore } from './alert-bell.store';
import { AlertsApi, type AlertQuery } from './alerts.api';

export interface AlertFilters {
  state: 'active' | 'resolved' | 'all';
  agent_id: string;
  level: string;
  type: string;
}

export const DEFAULT_FILTERS: AlertFilters = { state: 'active', agent_id: '', level: '', type: '' };
const PAGE_SIZE = 50;

const message = (err: unknown) =>
  err instanceof HttpErrorResponse ? errorMessage(err) : String(err);

// The Alerts page: one page of alerts for the filters, reloaded on every `event: alert`.
@Injectable()
export class AlertsStore {
  private readonly api = inject(AlertsApi);
  private readonly bell = inject(AlertBellStore);

  private readonly _filters = signal<AlertFilters>(DEFAULT_FILTERS);
  private readonly _alerts = signal<readonly Alert[]>([]);
  private readonly _total = signal(0);
  private readonly _page = signal(0);
  private readonly _config = signal<AlertConfig | null>(null);
  private readonly _silences = signal<readonly Silence[]>([]);
  private readonly _error = signal<string | null>(null);

  readonly filters = computed(() => this._filters());
  readonly alerts = computed(() => this._alerts());
  readonly total = computed(() => this._total());
  readonly page = computed(() => this._page());
  readonly pageSize = PAGE_SIZE;
  readonly config = computed(() => this._config());
  readonly silences = computed(() => this._silences());
  readonly error = computed(() => this._error());

  constructor() {
    effect(() => {
      if (this.bell.lastEvent()) untracked(() => void this.load());
    });
  }

  setFilters(filters: AlertFilters): void {
    this._filters.set(filters);
    this._page.set(0);
    void this.load();
  }

  showPage(page: number): void {
    this._page.set(page);
    void this.load();
  }

  async load(): Promise<void> {
    const f = this._filters();
    const q: AlertQuery = {
      state: f.state,
      agent_id: f.agent_id.trim() || undefined,
      level: f.level || undefined,
      type: f.type || undefined,
      limit: PAGE_SIZE,
      offset: this._page() * PAGE_SIZE,
    };
    try {
      const res = await firstValueFrom(this.api.list(q));
      this._alerts.set(res.alerts);
      this._total.set(res.total);
      this._config.set(res.config);
      this._error.set(null);
    } catch (err) {
      this._error.set(message(err));
    }
  }

  async loadSilences(): Promise<void> {
    try {
      this._silences.set((await firstValueFrom(this.api.silences())).silences);
    } catch (err) {
      this._error.set(message(err));
    }
  }

  async acknowledge(id: string): Promise<void> {
    try {
      await firstValueFrom(this.api.acknowledge(id));
      await this.load();
    } catch (err) {
      this._error.set(message(err));
    }
  }

  async silence(agentId: string | null, minutes: number, reason: string): Promise<boolean> {
    try {
      await firstValueFrom(
        this.api.createSilence({
          agent_id: agentId,
          ends_at: new Date(Date.now() + minutes * 60_000).toISOString(),
          reason,
        }),
      );
      await this.loadSilences();
      return true;
    } catch (err) {
      this._error.set(message(err));
      return false;
    }
  }

  async endSilence(id: string): Promise<void> {
    try {
      await firstValueFrom(this.api.removeSilence(id));
      await this.loadSilences();
    } catch (err) {
      this._error.set(message(err));
    }
  }
}
