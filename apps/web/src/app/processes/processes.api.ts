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

  // The page shows why a host has no list (unknown 404, agent offline 503) in place of the
  // table, once rather than at every refresh.
  list(agentId: string): Observable<ProcessListResponse> {
    return this.http.get<ProcessListResponse>(`${API_BASE}/processes`, {
      params: { agent_id: agentId, limit: 10_000 },
      context: callerHandles(404, 503),
    });
  }

  // 404: the process exited; 503: its agent went offline. The drawer says so itself.
  detail(agentId: string, pid: number): Observable<ProcessDetail> {
    return this.http.get<ProcessDetail>(`${API_BASE}/processes/${pid}`, {
      params: { agent_id: agentId },
      context: callerHandles(404, 503),
    });
  }

  // The start time guards against the pid naming another process by now (409). The drawer
  // shows the hub's refusals (403 EPERM, 404, 409, 503 agent offline) next to the buttons.
  signal(
    agentId: string,
    pid: number,
    signal: SignalName,
    startTime: string,
  ): Observable<SignalResponse> {
    return this.http.post<SignalResponse>(
      `${API_BASE}/processes/${pid}/signal`,
      { signal, start_time: startTime },
      { params: { agent_id: agentId }, context: callerHandles(400, 403, 404, 409, 503) },
    );
  }
}
