import type { HttpResponse } from '@angular/common/http';
import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ExportFormat,
  HistoryResponse,
  MetricsSnapshot,
  ProcessHistoryResponse,
  SettingsResponse,
} from '@tyto/contracts';
import { LiveSampleSchema } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';
import type { StreamEvent } from '../core/metrics-stream';
import { MetricsStreamApi } from '../core/metrics-stream';
import type { ExportRange, HistoryQueryParams } from './history/history-range';

const { temperature, gpu, docker, systemd } = LiveSampleSchema.shape;
const UNREADABLE = 'the hub sent this section in a form this page does not understand';

// The whole live sample, except that a malformed optional section is shown as unavailable instead
// of dropping the sample: one odd sensor reading should not freeze every other tile. A slow
// section the hub left out (unchanged) stays absent and is filled in from the previous sample.
export const HostLiveSampleSchema = LiveSampleSchema.extend({
  temperature: temperature.catch({ available: false, reason: UNREADABLE, sensors: [] }),
  gpu: gpu.catch({ available: false, reason: UNREADABLE, gpus: [] }),
  docker: docker.catch({ available: false, reason: UNREADABLE, containers: [] }),
  systemd: systemd.catch({ available: false, reason: UNREADABLE, services: [] }),
});
// What the page draws: a complete snapshot, rebuilt from the live samples.
export type HostSnapshot = MetricsSnapshot;

export interface ExportRequest {
  agentId: string;
  format: ExportFormat;
  // Both set: the history of that range (JSON: beside the snapshot; CSV: instead of it).
  range?: ExportRange;
}

// Export failures the page reports beside the buttons (a range older than kept, no snapshot yet);
// the error interceptor shows the rest.
export const EXPORT_REPORTED_STATUSES: readonly number[] = [400, 404];

// HttpParams would send an undefined value as the text "undefined".
function definedOnly(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

@Injectable({ providedIn: 'root' })
export class HostApi {
  private readonly http = inject(HttpClient);
  private readonly stream = inject(MetricsStreamApi);

  snapshots(agentId: string): Observable<StreamEvent<HostSnapshot>> {
    return this.stream.snapshots(agentId, HostLiveSampleSchema);
  }

  // 400 (a range older than the hub keeps) is shown beside the charts rather than as a toast.
  history(params: HistoryQueryParams): Observable<HistoryResponse> {
    return this.http.get<HistoryResponse>(`${API_BASE}/history`, {
      params: { ...params },
      context: callerHandles(400),
    });
  }

  // 404: no samples in that minute, which the page says in place of the process tables.
  processesAt(agentId: string, at: Date): Observable<ProcessHistoryResponse> {
    return this.http.get<ProcessHistoryResponse>(`${API_BASE}/history/processes`, {
      params: { agent_id: agentId, at: at.toISOString() },
      context: callerHandles(400, 404),
    });
  }

  // The body is the file itself (JSON or CSV), so it is read as text; the file name comes from
  // Content-Disposition.
  exportMetrics(request: ExportRequest): Observable<HttpResponse<string>> {
    return this.http.get(`${API_BASE}/export/metrics`, {
      params: definedOnly({ format: request.format, agent_id: request.agentId, ...request.range }),
      responseType: 'text',
      observe: 'response',
      context: callerHandles(...EXPORT_REPORTED_STATUSES),
    });
  }

  settings(): Observable<SettingsResponse> {
    return this.http.get<SettingsResponse>(`${API_BASE}/settings`);
  }

  setRefreshInterval(interval: number): Observable<SettingsResponse> {
    return this.http.post<SettingsResponse>(`${API_BASE}/settings/refresh`, { interval });
  }
}
