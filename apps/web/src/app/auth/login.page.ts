import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { AuthStore } from './auth.store';

@Component({
  selector: 'tyto-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
  ],
  template: `
    <main class="login">
      <mat-card appearance="outlined">
        <mat-card-header>
          <mat-card-title>Tyto</mat-card-title>
          <mat-card-subtitle>Sign in to the monitoring hub</mat-card-subtitle>
        </mat-card-header>
        <div class="progress">
          @if (auth.loginPending()) {
            <mat-progress-bar mode="indeterminate" data-testid="login-loading" />
          }
        </div>
        <mat-card-content>
          @if (ssoMessage(); as message) {
            <p class="error" role="alert" data-testid="sso-error">{{ message }}</p>
          }
          @if (auth.sso(); as sso) {
            <a mat-stroked-button class="sso" [href]="sso.login_url" data-testid="login-sso">{{
              sso.name
            }}</a>
            <p class="or">or</p>
          }
          <form [formGroup]="form" (ngSubmit)="submit()" data-testid="login-form">
            @if (auth.directory(); as directory) {
              <mat-button-toggle-group
                formControlName="provider"
                aria-label="Account type"
                data-testid="login-provider"
              >
                <mat-button-toggle value="ldap">{{ directory.name }}</mat-button-toggle>
                <mat-button-toggle value="local">Local account</mat-button-toggle>
              </mat-button-toggle-group>
            }
            <mat-form-field appearance="outline">
              <mat-label>Username</mat-label>
              <input
                matInput
                formControlName="username"
                autocomplete="username"
                data-testid="login-username"
              />
              @if (form.controls.username.hasError('required')) {
                <mat-error>Enter your username.</mat-error>
              }
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Password</mat-label>
              <input
                matInput
                type="password"
                formControlName="password"
                autocomplete="current-password"
                data-testid="login-password"
              />
              @if (form.controls.password.hasError('required')) {
                <mat-error>Enter your password.</mat-error>
              }
            </mat-form-field>
            @if (auth.loginError(); as error) {
              <p class="error" role="alert" data-testid="login-error">{{ error }}</p>
            }
            <button
              mat-flat-button
              type="submit"
              [disabled]="auth.loginPending()"
              data-testid="login-submit"
            >
              {{ auth.loginPending() ? 'Signing in…' : 'Sign in' }}
            </button>
          </form>
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styles: `
    .login {
      min-height: 100vh;
      display: grid;
      place-items: center;
      padding: 16px;
      box-sizing: border-box;
    }
    mat-card {
      width: min(380px, 100%);
    }
    .progress {
      height: 4px;
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
      padding-top: 12px;
    }
    .sso {
      width: 100%;
      margin-top: 12px;
    }
    .or {
      text-align: center;
      margin: 12px 0 0;
      color: var(--mat-sys-on-surface-variant, #49454f);
    }
    mat-button-toggle-group {
      margin-bottom: 12px;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 0 0 12px;
    }
  `,
})
export class LoginPage {
  // Bound from the `returnUrl` query parameter the guards set.
  readonly returnUrl = input<string>();
  // Bound from `?sso_error=CODE`: where the hub sends the browser when an OIDC sign-in failed.
  readonly ssoError = input<string | undefined>(undefined, { alias: 'sso_error' });
  protected readonly ssoMessage = computed(() => ssoErrorMessage(this.ssoError()));

  protected readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
    provider: ['ldap' as 'ldap' | 'local'],
  });

  constructor() {
    this.auth.clearLoginError();
    void this.auth.loadProviders();
  }

  protected async submit(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password, provider } = this.form.getRawValue();
    // Without a directory there is no choice to send: the hub's default applies.
    const credentials = this.auth.directory()
      ? { username, password, provider }
      : { username, password };
    if (await this.auth.login(credentials)) {
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    }
  }
}

function ssoErrorMessage(code: string | undefined): string | null {
  switch (code) {
    case undefined:
    case '':
      return null;
    case 'NO_ROLE':
      return 'Single sign-on worked, but none of your groups gives you a role in Tyto.';
    case 'ACCOUNT_DISABLED':
      return 'Your Tyto account is disabled.';
    case 'PROVIDER_UNAVAILABLE':
      return 'The identity provider cannot be reached. Try again later.';
    case 'GROUPS_UNAVAILABLE':
      // Trying again does not help: the provider left the groups out of the sign-in (Entra ID
      // overage); an administrator has to change what it sends.
      return 'Your identity provider did not say which groups you are in, so Tyto cannot give you a role. Ask an administrator.';
    default:
      return 'Single sign-on failed. Start again from this page.';
  }
}

// Only app-internal paths: `//host` would be protocol-relative.
function safeReturnUrl(url: string | undefined): string {
  return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login')
    ? url
    : '/';
}
