import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  Alert,
  AlertConfig,
  AlertConfigRequest,
  AlertListResponse,
  AlertRule,
  AlertRuleListResponse,
  AlertRuleRequest,
  Channel,
  ChannelListResponse,
  ChannelTestResponse,
  CreateChannelRequest,
  CreateSilenceRequest,
  Silence,
  SilenceListResponse,
  UpdateChannelRequest,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

export interface AlertQuery {
  state?: 'active' | 'resolved' | 'all';
  agent_id?: string;
  level?: string;
  type?: string;
  limit?: number;
  offset?: number;
}

const BASE = `${API_BASE}/alerts`;

@Injectable({ providedIn: 'root' })
export class AlertsApi {
  private readonly http = inject(HttpClient);

  list(q: AlertQuery): Observable<AlertListResponse> {
    let params = new HttpParams();
    for (const [k, v] of Object.entries(q)) {
      if (v !== undefined && v !== '') params = params.set(k, String(v));
    }
    return this.http.get<AlertListResponse>(BASE, { params });
  }

  acknowledge(id: string): Observable<Alert> {
    return this.http.post<Alert>(`${BASE}/${id}/acknowledge`, {}, { context: callerHandles(409) });
  }

  setConfig(body: AlertConfigRequest): Observable<AlertConfig> {
    return this.http.post<AlertConfig>(`${BASE}/config`, body, { context: callerHandles(400) });
  }

  rules(): Observable<AlertRuleListResponse> {
    return this.http.get<AlertRuleListResponse>(`${BASE}/rules`);
  }

  setRule(body: AlertRuleRequest): Observable<AlertRule> {
    return this.http.post<AlertRule>(`${BASE}/rules`, body, { context: callerHandles(400) });
  }

  removeRule(id: string): Observable<void> {
    return this.http.delete<void>(`${BASE}/rules/${encodeURIComponent(id)}`);
  }

  silences(): Observable<SilenceListResponse> {
    return this.http.get<SilenceListResponse>(`${BASE}/silences`);
  }

  createSilence(body: CreateSilenceRequest): Observable<Silence> {
    return this.http.post<Silence>(`${BASE}/silences`, body, { context: callerHandles(400) });
  }

  removeSilence(id: string): Observable<void> {
    return this.http.delete<void>(`${BASE}/silences/${id}`);
  }

  channels(): Observable<ChannelListResponse> {
    return this.http.get<ChannelListResponse>(`${BASE}/channels`);
  }

  createChannel(body: CreateChannelRequest): Observable<Channel> {
    return this.http.post<Channel>(`${BASE}/channels`, body, { context: callerHandles(400) });
  }

  updateChannel(id: string, body: UpdateChannelRequest): Observable<Channel> {
    return this.http.put<Channel>(`${BASE}/channels/${id}`, body, { context: callerHandles(400) });
  }

  removeChannel(id: string): Observable<void> {
    return this.http.delete<void>(`${BASE}/channels/${id}`);
  }

  testChannel(id: string): Observable<ChannelTestResponse> {
    return this.http.post<ChannelTestResponse>(`${BASE}/channels/${id}/test`, {});
  }
}
