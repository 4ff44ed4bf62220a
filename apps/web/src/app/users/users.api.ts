import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  CreateUserRequest,
  ResetPasswordRequest,
  UpdateUserRequest,
  User,
  UserListResponse,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import { FORM_STATUSES } from '../core/form-error';
import { API_BASE, callerHandles } from '../core/http';

// Writes that come from a form leave 400/409 to the form, which shows them next to its fields.
@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly http = inject(HttpClient);

  list(): Observable<User[]> {
    return this.http.get<UserListResponse>(`${API_BASE}/users`).pipe(map((r) => r.users));
  }

  create(body: CreateUserRequest): Observable<User> {
    return this.http.post<User>(`${API_BASE}/users`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }

  update(id: string, body: UpdateUserRequest): Observable<User> {
    return this.http.put<User>(`${API_BASE}/users/${encodeURIComponent(id)}`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }

  // Disabling is the hub's soft delete (DELETE): the user stays, with their sessions ended;
  // enabling is an update. Failures (the last administrator) are shown by the error interceptor.
  setDisabled(id: string, disabled: boolean): Observable<unknown> {
    const url = `${API_BASE}/users/${encodeURIComponent(id)}`;
    return disabled ? this.http.delete<void>(url) : this.http.put<User>(url, { disabled });
  }

  resetPassword(id: string, body: ResetPasswordRequest): Observable<void> {
    return this.http.put<void>(`${API_BASE}/users/${encodeURIComponent(id)}/password`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }
}
