import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  LogEntryLevel,
  LogHistogramResponse,
  LogListResponse,
  LogSource,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// The filters GET /logs and GET /logs/stream take; absent ones match everything.
export interface LogsRequest {
  agent_id?: string;
  source?: LogSource;
  source_name?: string;
  level?: readonly LogEntryLevel[];
  q?: string;
  // ISO 8601, inclusive.
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export function logsParams(request: LogsRequest): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    params = params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}

@Injectable({ providedIn: 'root' })
export class LogsApi {
  private readonly http = inject(HttpClient);

  // A 400 is a filter or search the hub cannot use: the page says so next to the search box.
  list(request: LogsRequest): Observable<LogListResponse> {
    return this.http.get<LogListResponse>(`${API_BASE}/logs`, {
      params: logsParams(request),
      context: callerHandles(400),
    });
  }

  // Matches per time bar for the same filters (paging left out), about `buckets` bars.
  histogram(request: LogsRequest, buckets: number): Observable<LogHistogramResponse> {
    const { limit: _limit, offset: _offset, ...filters } = request;
    return this.http.get<LogHistogramResponse>(`${API_BASE}/logs/histogram`, {
      params: logsParams(filters).set('buckets', String(buckets)),
      // The list's request reports a filter the hub refused; this one just shows no bars.
      context: callerHandles(400),
    });
  }

  // The live tail's URL: the session cookie authenticates it (EventSource sends no headers).
  streamUrl(request: LogsRequest): string {
    const { from: _from, to: _to, limit: _limit, offset: _offset, ...filters } = request;
    const query = logsParams(filters).toString();
    return `${API_BASE}/logs/stream${query ? `?${query}` : ''}`;
  }
}
