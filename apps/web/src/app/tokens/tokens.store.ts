import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { ApiToken, CreateApiTokenRequest, CreateApiTokenResponse } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { firstValueFrom } from 'rxjs';
import type { FormError } from '../core/form-error';
import { toFormError } from '../core/form-error';
import { errorBodyOf, errorMessage } from '../core/http';
import { TokensApi } from './tokens.api';

export type TokenScope = 'own' | 'all';

// A 403 on create names the permissions the user lacks; say which.
function createError(err: unknown): FormError | null {
  if (err instanceof HttpErrorResponse && err.status === 403) {
    const details = errorBodyOf(err)?.details as { missing?: unknown } | undefined;
    const missing = Array.isArray(details?.missing) ? details.missing.map(String) : [];
    return {
      message: missing.length
        ? `You do not hold ${missing.join(', ')}; a token can only have permissions you have.`
        : errorMessage(err),
      fields: {},
    };
  }
  return toFormError(err);
}

// The tokens of the account page (own) or of the admin page (all). The secret of a token just
// created is kept only until the user dismisses it: the hub never shows it again.
@Injectable()
export class TokensStore {
  private readonly api = inject(TokensApi);

  private scope: TokenScope = 'own';
  private readonly _tokens = signal<readonly ApiToken[]>([]);
  private readonly _loading = signal(false);
  private readonly _pending = signal(false);
  private readonly _error = signal<FormError | null>(null);
  private readonly _created = signal<CreateApiTokenResponse | null>(null);

  readonly tokens = computed(() => this._tokens());
  // The tokens that still work (neither revoked nor expired).
  readonly active = computed(() => this._tokens().filter((t) => !t.revoked && !expired(t)));
  readonly loading = computed(() => this._loading());
  readonly pending = computed(() => this._pending());
  readonly error = computed(() => this._error());
  readonly created = computed(() => this._created());

  async load(scope: TokenScope): Promise<void> {
    this.scope = scope;
    this._loading.set(true);
    try {
      const list = scope === 'own' ? this.api.listOwn() : this.api.listAll();
      this._tokens.set(await firstValueFrom(list));
    } catch {
      // The error interceptor has shown why; the list stays as it was.
    } finally {
      this._loading.set(false);
    }
  }

  async create(body: CreateApiTokenRequest): Promise<boolean> {
    this._pending.set(true);
    this._error.set(null);
    try {
      const created = await firstValueFrom(this.api.create(body));
      this._created.set(created);
      await this.load(this.scope);
      return true;
    } catch (err) {
      this._error.set(createError(err));
      return false;
    } finally {
      this._pending.set(false);
    }
  }

  // The user has copied the secret (or chose not to): it is gone for good.
  dismissSecret(): void {
    this._created.set(null);
  }

  async revoke(token: ApiToken): Promise<void> {
    const call: Observable<void> =
      this.scope === 'own' ? this.api.revokeOwn(token.id) : this.api.revokeAny(token.id);
    try {
      await firstValueFrom(call, { defaultValue: undefined });
      await this.load(this.scope);
    } catch {
      // Shown by the error interceptor.
    }
  }
}

export function expired(token: ApiToken, now = Date.now()): boolean {
  return token.expires_at !== null && Date.parse(token.expires_at) <= now;
}

export function tokenState(token: ApiToken, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (token.revoked) return 'revoked';
  return expired(token, now) ? 'expired' : 'active';
}
