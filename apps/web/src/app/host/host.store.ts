import { DOCUMENT } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import type { Signal } from '@angular/core';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LOCAL_AGENT_ID, type ExportFormat } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import type { ExportRequest } from './host.api';
import { EXPORT_REPORTED_STATUSES, HostApi } from './host.api';
import { attachmentFilename, failureMessage, saveFile } from './host-files';

export type ExportScope = 'snapshot' | 'range';

// What a host's live and history tabs share: which agent is shown, its sampling interval, and the
// export buttons' state. Provided by the host page, so both tabs see the same instance.
@Injectable()
export class HostStore {
  private readonly api = inject(HostApi);
  private readonly document = inject(DOCUMENT);
  private readonly destroyRef = inject(DestroyRef);

  private readonly _agentSource = signal<Signal<string>>(signal(LOCAL_AGENT_ID));
  private readonly _refreshInterval = signal<number | null>(null);
  private readonly _intervalSaving = signal(false);
  private readonly _exporting = signal<string | null>(null);
  private readonly _exportError = signal<{ scope: ExportScope; message: string } | null>(null);

  readonly agentId = computed(() => this._agentSource()());
  /** Seconds between samples; null until the hub has said. */
  readonly refreshInterval = computed(() => this._refreshInterval());
  readonly intervalSaving = computed(() => this._intervalSaving());
  /** Which export is downloading (`snapshot-csv`, `range-json`, …), null when none. */
  readonly exporting = computed(() => this._exporting());
  readonly snapshotExportError = computed(() => this.exportErrorOf('snapshot'));
  readonly rangeExportError = computed(() => this.exportErrorOf('range'));

  followAgent(agentId: Signal<string>): void {
    this._agentSource.set(agentId);
  }

  loadSettings(): void {
    this.api
      .settings()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (settings) => this._refreshInterval.set(settings.refresh_interval),
        // The interceptor has shown the failure; the control just stays without a value.
        error: () => undefined,
      });
  }

  async setRefreshInterval(interval: number): Promise<void> {
    const previous = this._refreshInterval();
    this._refreshInterval.set(interval);
    this._intervalSaving.set(true);
    try {
      const settings = await firstValueFrom(this.api.setRefreshInterval(interval));
      this._refreshInterval.set(settings.refresh_interval);
    } catch {
      // Shown by the interceptor; the control goes back to what the hub still uses.
      this._refreshInterval.set(previous);
    } finally {
      this._intervalSaving.set(false);
    }
  }

  // Downloads the agent's current snapshot, or with `range` its history over that range.
  async export(format: ExportFormat, range?: ExportRequest['range']): Promise<void> {
    const scope: ExportScope = range ? 'range' : 'snapshot';
    this._exporting.set(`${scope}-${format}`);
    this._exportError.set(null);
    try {
      const response = await firstValueFrom(
        this.api.exportMetrics({ agentId: this.agentId(), format, range }),
      );
      const filename =
        attachmentFilename(response.headers.get('content-disposition')) ??
        `tyto-metrics-${this.agentId()}.${format}`;
      const contentType =
        response.headers.get('content-type') ??
        (format === 'csv' ? 'text/csv' : 'application/json');
      saveFile(this.document, filename, contentType, response.body ?? '');
    } catch (err) {
      const shownByInterceptor =
        err instanceof HttpErrorResponse && !EXPORT_REPORTED_STATUSES.includes(err.status);
      if (!shownByInterceptor)
        this._exportError.set({ scope, message: `Export failed: ${failureMessage(err)}` });
    } finally {
      this._exporting.set(null);
    }
  }

  private exportErrorOf(scope: ExportScope): string | null {
    const error = this._exportError();
    return error?.scope === scope ? error.message : null;
  }
}
