import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ProcessDetail,
  ProcessListResponse,
  SignalName,
  SignalResponse,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

@Injectable({ providedIn: 'root' })
export class ProcessesApi {
  private readonly http = inject(HttpClient);

  list(agentId: string): Observable<ProcessListResponse> {
    return this.http.get<ProcessListResponse>(`${API_BASE}/processes`, {
      params: { agent_id: agentId, limit: 10_000 },
    });
  }

  // 404: the process exited; the drawer says so itself.
  detail(agentId: string, pid: number): Observable<ProcessDetail> {
    return this.http.get<ProcessDetail>(`${API_BASE}/processes/${pid}`, {
      params: { agent_id: agentId },
      context: callerHandles(404),
    });
  }

  // The start time guards against the pid naming another process by now (409). The drawer
  // shows the hub's refusals (403 EPERM, 404, 409) next to the buttons.
  signal(
    agentId: string,
    pid: number,
    signal: SignalName,
    startTime: string,
  ): Observable<SignalResponse> {
    return this.http.post<SignalResponse>(
      `${API_BASE}/processes/${pid}/signal`,
      { signal, start_time: startTime },
      { params: { agent_id: agentId }, context: callerHandles(400, 403, 404, 409) },
    );
  }
}
