import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateRoleRequest, Role, RoleListResponse, UpdateRoleRequest } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import { FORM_STATUSES } from '../core/form-error';
import { API_BASE, callerHandles } from '../core/http';

// Writes leave 400/409 to the page: forms show them by their fields, and a role still in use
// (409 ROLE_IN_USE) turns into the question where its holders should go.
@Injectable({ providedIn: 'root' })
export class RolesApi {
  private readonly http = inject(HttpClient);

  list(): Observable<Role[]> {
    return this.http.get<RoleListResponse>(`${API_BASE}/roles`).pipe(map((r) => r.roles));
  }

  create(body: CreateRoleRequest): Observable<Role> {
    return this.http.post<Role>(`${API_BASE}/roles`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }

  update(id: string, body: UpdateRoleRequest): Observable<Role> {
    return this.http.put<Role>(`${API_BASE}/roles/${encodeURIComponent(id)}`, body, {
      context: callerHandles(...FORM_STATUSES),
    });
  }

  // A role someone still holds is only deleted with `reassignTo`, the role they get instead.
  delete(id: string, reassignTo?: string): Observable<void> {
    const params = reassignTo ? new HttpParams().set('reassign_to', reassignTo) : undefined;
    return this.http.delete<void>(`${API_BASE}/roles/${encodeURIComponent(id)}`, {
      params,
      context: callerHandles(...FORM_STATUSES),
    });
  }
}
