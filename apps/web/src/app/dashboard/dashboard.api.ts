import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { HistoryResponse, MetricsSnapshot } from '@tyto/contracts';
import { LiveSampleSchema } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';
import type { StreamEvent as MetricsStreamEvent } from '../core/metrics-stream';
import { MetricsStreamApi } from '../core/metrics-stream';

const { processes, temperature, gpu, docker, systemd } = LiveSampleSchema.shape;
const UNREAD = 'not used by the dashboard';

// Only the sections the dashboard draws are checked: the others fall back to an empty value, so a
// problem in, say, the process list does not blank the whole page.
export const DashboardSampleSchema = LiveSampleSchema.extend({
  processes: processes.catch({ total: 0, running: 0, topByCpu: [], topByMemory: [] }),
  temperature: temperature.catch({ available: false, reason: UNREAD, sensors: [] }),
  gpu: gpu.catch(undefined),
  docker: docker.catch(undefined),
  systemd: systemd.catch(undefined),
});
export type DashboardSample = Pick<
  MetricsSnapshot,
  'timestamp' | 'agent_id' | 'system' | 'cpu' | 'memory' | 'disk' | 'network' | 'processes'
>;

export type StreamEvent = MetricsStreamEvent<DashboardSample>;

@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly stream = inject(MetricsStreamApi);
  private readonly http = inject(HttpClient);

  // Complete samples of one agent (the hub leaves out inventory that did not change, see
  // LiveSampleSchema); see MetricsStreamApi for how the stream ends.
  metrics(agentId: string): Observable<StreamEvent> {
    return this.stream.snapshots(agentId, DashboardSampleSchema);
  }

  // The stored samples the charts open with. Failures are the caller's (it draws live only).
  history(params: {
    agent_id: string;
    from: string;
    to: string;
    metrics: string;
  }): Observable<HistoryResponse> {
    return this.http.get<HistoryResponse>(`${API_BASE}/history`, {
      params,
      context: callerHandles(0, 400, 401, 403, 404, 500, 502, 503, 504),
    });
  }
}
