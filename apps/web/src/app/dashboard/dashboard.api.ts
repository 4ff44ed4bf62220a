import { Injectable, inject } from '@angular/core';
import { LiveSampleSchema } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import type * as z from 'zod';
import type { StreamEvent as MetricsStreamEvent } from '../core/metrics-stream';
import { MetricsStreamApi } from '../core/metrics-stream';

// Only the sections the dashboard draws are checked, so a problem in, say, the process list does
// not blank the whole page. None of them is a slow section a live sample may leave out, so the
// dashboard needs no previous sample to complete one.
export const DashboardSampleSchema = LiveSampleSchema.pick({
  timestamp: true,
  agent_id: true,
  system: true,
  cpu: true,
  memory: true,
  disk: true,
  network: true,
});
export type DashboardSample = z.infer<typeof DashboardSampleSchema>;

export type StreamEvent = MetricsStreamEvent<DashboardSample>;

@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly stream = inject(MetricsStreamApi);

  // Live samples of one agent; see MetricsStreamApi for how the stream ends.
  metrics(agentId: string): Observable<StreamEvent> {
    return this.stream.samples(agentId, DashboardSampleSchema);
  }
}
