import type { CodeFields } from '../core/form-error';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { ChangePasswordRequest, MeResponse } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../auth/auth.api';
import type { FormError } from '../core/form-error';
import { toFormError } from '../core/form-error';
import { AccountApi } from './account.api';

const PASSWORD_FIELDS: CodeFields = {
  INVALID_CURRENT_PASSWORD: 'current_password',
  WEAK_PASSWORD: 'new_password',
};

// The account page: the user as the hub sees them now, and the two forms' request state.
@Injectable()
export class AccountStore {
  private readonly authApi = inject(AuthApi);
  private readonly api = inject(AccountApi);

  private readonly _me = signal<MeResponse | null>(null);
  private readonly _emailPending = signal(false);
  private readonly _emailError = signal<FormError | null>(null);
  private readonly _passwordPending = signal(false);
  private readonly _passwordError = signal<FormError | null>(null);
  private readonly _notice = signal<string | null>(null);

  readonly me = computed(() => this._me());
  // Only local accounts have a password the hub keeps; LDAP and OIDC users change it there.
  readonly localPassword = computed(() => this._me()?.auth_provider === 'local');
  readonly emailPending = computed(() => this._emailPending());
  readonly emailError = computed(() => this._emailError());
  readonly passwordPending = computed(() => this._passwordPending());
  readonly passwordError = computed(() => this._passwordError());
  readonly notice = computed(() => this._notice());

  // Asks the hub rather than reusing the session user: last sign-in and provider are only here.
  async load(): Promise<void> {
    try {
      this._me.set(await firstValueFrom(this.authApi.me()));
    } catch {
      // Shown by the error interceptor; a 401 has already sent the user to the login page.
    }
  }

  async saveEmail(email: string | null): Promise<void> {
    this._emailPending.set(true);
    this._emailError.set(null);
    this._notice.set(null);
    try {
      this._me.set(await firstValueFrom(this.api.update({ email })));
      this._notice.set('Email saved.');
    } catch (err) {
      this._emailError.set(toFormError(err));
    } finally {
      this._emailPending.set(false);
    }
  }

  // True when the password was changed, so the page can empty the form.
  async changePassword(body: ChangePasswordRequest): Promise<boolean> {
    this._passwordPending.set(true);
    this._passwordError.set(null);
    this._notice.set(null);
    try {
      await firstValueFrom(this.api.changePassword(body));
      this._notice.set('Password changed. Your other sessions have been signed out.');
      return true;
    } catch (err) {
      this._passwordError.set(toFormError(err, PASSWORD_FIELDS));
      return false;
    } finally {
      this._passwordPending.set(false);
    }
  }
}
