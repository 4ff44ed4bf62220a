import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ApiToken,
  ApiTokenListResponse,
  CreateApiTokenRequest,
  CreateApiTokenResponse,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// Statuses the create form shows inline: 400 (bad name, expiry in the past) and 403 (a permission
// the user does not hold, named in details.missing).
export const CREATE_TOKEN_STATUSES = [400, 403] as const;

// API tokens: the signed-in user's own (/tokens) and, with tokens:manage, everyone's
// (/admin/tokens). docs/api.md#tokens.
@Injectable({ providedIn: 'root' })
export class TokensApi {
  private readonly http = inject(HttpClient);

  listOwn(): Observable<ApiToken[]> {
    return this.http.get<ApiTokenListResponse>(`${API_BASE}/tokens`).pipe(map((res) => res.tokens));
  }

  create(body: CreateApiTokenRequest): Observable<CreateApiTokenResponse> {
    return this.http.post<CreateApiTokenResponse>(`${API_BASE}/tokens`, body, {
      context: callerHandles(...CREATE_TOKEN_STATUSES),
    });
  }

  revokeOwn(id: string): Observable<void> {
    return this.http.delete<void>(`${API_BASE}/tokens/${encodeURIComponent(id)}`);
  }

  listAll(): Observable<ApiToken[]> {
    return this.http
      .get<ApiTokenListResponse>(`${API_BASE}/admin/tokens`)
      .pipe(map((res) => res.tokens));
  }

  revokeAny(id: string): Observable<void> {
    return this.http.delete<void>(`${API_BASE}/admin/tokens/${encodeURIComponent(id)}`);
  }
}
