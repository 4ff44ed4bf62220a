import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AuditListResponse, AuditOutcome } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// The query string GET /audit takes; absent filters match everything.
export interface AuditRequest {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  // ISO 8601, inclusive.
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly http = inject(HttpClient);

  // A 400 means filters the hub cannot use; the filter bar says so next to them.
  list(request: AuditRequest): Observable<AuditListResponse> {
    let params = new HttpParams();
    for (const [key, value] of Object.entries(request)) {
      if (value !== undefined) params = params.set(key, String(value));
    }
    return this.http.get<AuditListResponse>(`${API_BASE}/audit`, {
      params,
      context: callerHandles(400),
    });
  }
}
