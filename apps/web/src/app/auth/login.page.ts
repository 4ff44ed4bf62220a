import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
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
          <form [formGroup]="form" (ngSubmit)="submit()" data-testid="login-form">
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
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 0 0 12px;
    }
  `,
})
export class LoginPage {
  // Bound from the `returnUrl` query parameter the guards set.
  readonly returnUrl = input<string>();

  protected readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });

  constructor() {
    this.auth.clearLoginError();
  }

  protected async submit(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    if (await this.auth.login(this.form.getRawValue())) {
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    }
  }
}

// Only app-internal paths: `//host` would be protocol-relative.
function safeReturnUrl(url: string | undefined): string {
  return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login')
    ? url
    : '/';
}
