import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ChangePasswordRequest, MeResponse, UpdateMeRequest } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { FORM_STATUSES } from '../core/form-error';
import { API_BASE, callerHandles } from '../core/http';

// The signed-in user's own account. Reading it is AuthApi.me; these are the writes, whose 400/409
// answers (weak password, wrong current password) the forms show themselves.
@Injectable({ providedIn: 'root' })
export class AccountApi {
  private readonly http = inject(HttpClient);

  update(body: UpdateMeRequest): Observable<MeResponse> {
    return this.http.put<MeResponse>(`${API_BASE}/auth/me`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }

  changePassword(body: ChangePasswordRequest): Observable<void> {
    return this.http.put<void>(`${API_BASE}/auth/me/password`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }
}
