import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import type { SettingsResponse } from '@tyto/contracts';
import { API_BASE, callerHandles } from './http';

// The hub's shortest accepted password (TYTO_PASSWORD_MIN_LENGTH, from GET /settings), so every
// password field can say it before the user fails it. Read once per page load.
@Injectable({ providedIn: 'root' })
export class PasswordPolicy {
  private readonly http = inject(HttpClient);
  private readonly _minLength = signal<number | null>(null);
  private requested = false;

  /** Null until known (or when the hub did not say): the fields then show no hint. */
  readonly minLength = this._minLength.asReadonly();

  load(): void {
    if (this.requested) return;
    this.requested = true;
    this.http
      .get<SettingsResponse>(`${API_BASE}/settings`, { context: callerHandles(403) })
      .subscribe({
        next: (s) => this._minLength.set(s.password_min_length),
        // Asked again by the next form that opens; the hub still checks the length itself.
        error: () => (this.requested = false),
      });
  }
}
