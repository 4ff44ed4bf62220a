import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  Agent,
  AgentCaResponse,
  AgentListResponse,
  CreateAgentRequest,
  CreateAgentResponse,
  EnrollmentDecisionResponse,
  PendingEnrollmentListResponse,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// The registry's REST routes (docs/api.md, "Agents").
@Injectable({ providedIn: 'root' })
export class AgentsApi {
  private readonly http = inject(HttpClient);

  list(): Observable<AgentListResponse> {
    return this.http.get<AgentListResponse>(`${API_BASE}/agents`);
  }

  pending(): Observable<PendingEnrollmentListResponse> {
    return this.http.get<PendingEnrollmentListResponse>(`${API_BASE}/agents/pending`);
  }

  ca(): Observable<AgentCaResponse> {
    return this.http.get<AgentCaResponse>(`${API_BASE}/agents/ca`);
  }

  // 400 (bad id or name) and 409 (id taken) are shown in the form.
  create(body: CreateAgentRequest): Observable<CreateAgentResponse> {
    return this.http.post<CreateAgentResponse>(`${API_BASE}/agents`, body, {
      context: callerHandles(400, 409),
    });
  }

  approve(requestId: string): Observable<EnrollmentDecisionResponse> {
    return this.http.post<EnrollmentDecisionResponse>(
      `${API_BASE}/agents/pending/${encodeURIComponent(requestId)}/approve`,
      {},
    );
  }

  reject(requestId: string): Observable<EnrollmentDecisionResponse> {
    return this.http.post<EnrollmentDecisionResponse>(
      `${API_BASE}/agents/pending/${encodeURIComponent(requestId)}/reject`,
      {},
    );
  }

  revoke(agentId: string): Observable<Agent> {
    return this.http.post<Agent>(`${API_BASE}/agents/${encodeURIComponent(agentId)}/revoke`, {});
  }

  remove(agentId: string): Observable<void> {
    return this.http.delete<void>(`${API_BASE}/agents/${encodeURIComponent(agentId)}`);
  }
}
