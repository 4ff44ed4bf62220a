import { DOCUMENT } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { AuthProviderInfo, LoginRequest, Permission, SessionUser } from '@tyto/contracts';
import { hasPermission } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { catchError, firstValueFrom, map, of, tap } from 'rxjs';
import { errorMessage } from '../core/http';
import { AuthApi } from './auth.api';
import { formatDuration } from '../shared/format/format';

// The signed-in user for the whole app, plus the login form's request state.
@Injectable({ providedIn: 'root' })
export class AuthStore {
  private readonly api = inject(AuthApi);

  private readonly _user = signal<SessionUser | null>(null);
  private readonly _loginPending = signal(false);
  private readonly _loginError = signal<string | null>(null);
  private readonly _providers = signal<AuthProviderInfo[]>([{ id: 'local', type: 'local' }]);
  private readonly document = inject(DOCUMENT);

  readonly user = computed(() => this._user());
  readonly username = computed(() => this._user()?.username ?? '');
  readonly loginPending = computed(() => this._loginPending());
  readonly loginError = computed(() => this._loginError());
  readonly providers = computed(() => this._providers());
  /** The directory, when configured: the login form then offers directory or local account. */
  readonly directory = computed(() => this._providers().find((p) => p.type === 'ldap') ?? null);
  /** The OIDC provider, when configured: a "Sign in with …" button. */
  readonly sso = computed(() => this._providers().find((p) => p.type === 'oidc') ?? null);

  can(permission: Permission): boolean {
    return hasPermission(this._user()?.permissions ?? [], permission);
  }

  // True when a session exists. The hub is asked only when none is known yet (first load, after
  // logout or a 401), since the cookie itself is invisible to scripts.
  restore(): Observable<boolean> {
    if (this._user() !== null) return of(true);
    return this.api.me(401).pipe(
      tap((me) => this._user.set(me)),
      map(() => true),
      // Any other failure was already shown by the error interceptor; without a session the
      // login page is the only useful place to go.
      catchError(() => of(false)),
    );
  }

  async login(credentials: LoginRequest): Promise<boolean> {
    this._loginPending.set(true);
    this._loginError.set(null);
    try {
      const response = await firstValueFrom(this.api.login(credentials));
      this._user.set(response.user);
      return true;
    } catch (err) {
      this._loginError.set(loginFailureMessage(err));
      return false;
    } finally {
      this._loginPending.set(false);
    }
  }

  /** Loads the ways to sign in (local, directory, OIDC) for the login page. */
  async loadProviders(): Promise<void> {
    try {
      const res = await firstValueFrom(this.api.providers());
      this._providers.set(res.providers);
    } catch {
      // The interceptor has shown the error; the password form still works.
    }
  }

  async logout(): Promise<void> {
    try {
      const res = await firstValueFrom(this.api.logout());
      // An OIDC user also signs out at the provider, which sends the browser back to /login.
      if (res?.logout_url) this.document.location.assign(res.logout_url);
    } catch {
      // The interceptor has shown what went wrong; locally the user is signed out regardless.
    } finally {
      this.forget();
    }
  }

  // Drops the local session state (the hub said 401, or the user logged out).
  forget(): void {
    this._user.set(null);
  }

  clearLoginError(): void {
    this._loginError.set(null);
  }
}

function loginFailureMessage(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return 'Sign-in failed unexpectedly.';
  switch (err.status) {
    case 401:
      return 'Invalid username or password.';
    case 403:
    case 503:
      // NO_ROLE, ACCOUNT_DISABLED, DIRECTORY_UNAVAILABLE: the hub's message says which.
      return errorMessage(err);
    case 429: {
      const retryAfter = Number(err.headers.get('retry-after'));
      return retryAfter > 0
        ? `Too many sign-in attempts. Try again in ${formatDuration(retryAfter)}.`
        : 'Too many sign-in attempts. Try again later.';
    }
    default:
      return errorMessage(err);
  }
}
