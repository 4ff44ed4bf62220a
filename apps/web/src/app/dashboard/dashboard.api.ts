import { Injectable, inject } from '@angular/core';
import type { MetricsSnapshot } from '@tyto/contracts';
import { LiveSampleSchema } from '@tyto/contracts';
import type { Observable } from 'rxjs';
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
  'timestamp' | 'agent_id' | 'system' | 'cpu' | 'memory' | 'disk' | 'network'
>;

export type StreamEvent = MetricsStreamEvent<DashboardSample>;

@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly stream = inject(MetricsStreamApi);

  // Complete samples of one agent (the hub leaves out inventory that did not change, see
  // LiveSampleSchema); see MetricsStreamApi for how the stream ends.
  metrics(agentId: string): Observable<StreamEvent> {
    return this.stream.snapshots(agentId, DashboardSampleSchema);
  }
}
