import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AuthProvidersResponse,
  LoginRequest,
  LoginResponse,
  LogoutResponse,
  MeResponse,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { API_BASE, callerHandles } from '../core/http';

// The hub sets an HttpOnly session cookie at login; the browser sends it with every same-origin
// request, so the token in the login response is deliberately never stored.
@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);

  login(credentials: LoginRequest): Observable<LoginResponse> {
    return this.http.post<LoginResponse>(`${API_BASE}/auth/login`, credentials, {
      context: callerHandles(401, 403, 429, 503),
    });
  }

  // 204 (null) for most users; 200 with the provider's end-session URL for OIDC users.
  logout(): Observable<LogoutResponse | null> {
    // A session that already expired is as good as logged out.
    return this.http.post<LogoutResponse | null>(`${API_BASE}/auth/logout`, null, {
      context: callerHandles(401),
    });
  }

  providers(): Observable<AuthProvidersResponse> {
    return this.http.get<AuthProvidersResponse>(`${API_BASE}/auth/providers`);
  }

  // `handled` lists the statuses the caller deals with itself (see CALLER_HANDLES).
  me(...handled: number[]): Observable<MeResponse> {
    return this.http.get<MeResponse>(`${API_BASE}/auth/me`, { context: callerHandles(...handled) });
  }
}
