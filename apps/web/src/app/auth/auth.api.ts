import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { LoginRequest, LoginResponse, MeResponse } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// The hub sets an HttpOnly session cookie at login; the browser sends it with every same-origin
// request, so the token in the login response is deliberately never stored.
@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);

  login(credentials: LoginRequest): Observable<LoginResponse> {
    return this.http.post<LoginResponse>(`${API_BASE}/auth/login`, credentials, {
      context: callerHandles(401, 429),
    });
  }

  logout(): Observable<void> {
    // A session that already expired is as good as logged out.
    return this.http.post<void>(`${API_BASE}/auth/logout`, null, { context: callerHandles(401) });
  }

  // `handled` lists the statuses the caller deals with itself (see CALLER_HANDLES).
  me(...handled: number[]): Observable<MeResponse> {
    return this.http.get<MeResponse>(`${API_BASE}/auth/me`, { context: callerHandles(...handled) });
  }
}
