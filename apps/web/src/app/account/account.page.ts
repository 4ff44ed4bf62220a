import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ThemeStore } from '../core/theme.store';
import { TimeFormat } from '../shared/format/time-format';
import { TimePipe } from '../shared/format/time.pipe';
import { AccountTokensComponent } from '../tokens/account-tokens.component';
import { applyFormError } from '../core/form-error';
import type { PasswordChange } from '../shared/ui/password-form.component';
import { PasswordFormComponent } from '../shared/ui/password-form.component';
import { AccountStore } from './account.store';
import { PasswordPolicy } from '../core/password-policy';

@Component({
  selector: 'tyto-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AccountStore],
  imports: [
    TimePipe,
    MatSelectModule,
    AccountTokensComponent,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    PasswordFormComponent,
  ],
  template: `
    <h1>My account</h1>
    @if (store.notice(); as notice) {
      <p class="notice" role="status" data-testid="account-notice">{{ notice }}</p>
    }
    @if (store.me(); as me) {
      <div class="cards">
        <mat-card appearance="outlined">
          <mat-card-header>
            <mat-card-title data-testid="account-username">{{ me.username }}</mat-card-title>
            <mat-card-subtitle data-testid="account-summary">
              {{ me.roles.length === 1 ? 'Role' : 'Roles' }}: {{ me.roles.join(', ') }} ·
              {{ providerLabel(me.auth_provider) }}
              @if (me.last_login) {
                · last sign-in {{ me.last_login | time: 'datetime' }}
              }
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <form [formGroup]="emailForm" (ngSubmit)="saveEmail()" data-testid="account-email-form">
              <mat-form-field appearance="outline">
                <mat-label>Email</mat-label>
                <input
                  matInput
                  type="email"
                  formControlName="email"
                  autocomplete="email"
                  data-testid="account-email"
                />
                @if (emailForm.controls.email.hasError('email')) {
                  <mat-error>Enter a valid email address.</mat-error>
                }
                @if (emailForm.controls.email.getError('server'); as message) {
                  <mat-error>{{ message }}</mat-error>
                }
              </mat-form-field>
              @for (line of emailErrorLines(); track $index) {
                <p class="error" role="alert">{{ line }}</p>
              }
              <button
                mat-flat-button
                type="submit"
                [disabled]="store.emailPending()"
                data-testid="account-email-save"
              >
                Save email
              </button>
            </form>
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title>Password</mat-card-title></mat-card-header>
          <mat-card-content>
            @if (store.localPassword()) {
              <tyto-password-form
                [requireCurrent]="true"
                [minLength]="passwordPolicy.minLength()"
                [pending]="store.passwordPending()"
                [error]="store.passwordError()"
                (submitted)="changePassword($event)"
              />
            } @else {
              <p>Your password is managed by {{ me.auth_provider }}; change it there.</p>
            }
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined" data-testid="account-display">
          <mat-card-header>
            <mat-card-title>Display</mat-card-title>
            <mat-card-subtitle>Kept in this browser</mat-card-subtitle>
          </mat-card-header>
          <mat-card-content>
            <mat-form-field appearance="outline">
              <mat-label>Theme</mat-label>
              <mat-select
                [value]="theme.choice()"
                (valueChange)="theme.set($event)"
                data-testid="display-theme"
              >
                <mat-option value="system">Follow the system</mat-option>
                <mat-option value="light">Light</mat-option>
                <mat-option value="dark">Dark</mat-option>
              </mat-select>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Clock</mat-label>
              <mat-select
                [value]="time.prefs().hourCycle"
                (valueChange)="time.set({ hourCycle: $event })"
                data-testid="display-hour-cycle"
              >
                <mat-option value="locale">As the browser's language</mat-option>
                <mat-option value="24">24 hours (14:05)</mat-option>
                <mat-option value="12">12 hours (2:05 PM)</mat-option>
              </mat-select>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Time zone</mat-label>
              <mat-select
                [value]="time.prefs().timeZone"
                (valueChange)="time.set({ timeZone: $event })"
                data-testid="display-time-zone"
              >
                <mat-option value="browser">This browser's ({{ browserZone }})</mat-option>
                <mat-option value="UTC">UTC</mat-option>
              </mat-select>
            </mat-form-field>
            <p class="sample">Times read like this: {{ now | time: 'full' }}</p>
          </mat-card-content>
        </mat-card>
      </div>
      <tyto-account-tokens />
    }
  `,
  styles: `
    .cards {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(340px, 100%), 1fr));
      gap: 16px;
      align-items: start;
    }
    mat-card-content {
      padding-top: 12px;
    }
    form {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
    }
    mat-form-field {
      width: min(420px, 100%);
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 0 0 8px;
    }
    .notice {
      margin: 0 0 12px;
    }
    .sample {
      color: var(--tyto-muted);
      font-size: 14px;
      margin: 0;
    }
    tyto-account-tokens {
      display: block;
      margin-top: 16px;
    }
  `,
})
export class AccountPage {
  protected readonly store = inject(AccountStore);
  protected readonly passwordPolicy = inject(PasswordPolicy);
  protected readonly theme = inject(ThemeStore);
  protected readonly time = inject(TimeFormat);
  protected readonly now = new Date();
  protected readonly browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  protected readonly emailForm = inject(NonNullableFormBuilder).group({
    email: ['', Validators.email],
  });
  protected readonly emailErrorLines = signal<string[]>([]);
  private readonly passwordForm = viewChild(PasswordFormComponent);

  constructor() {
    void this.store.load();
    this.passwordPolicy.load();
    effect(() => {
      const email = this.store.me()?.email ?? '';
      untracked(() => this.emailForm.reset({ email }));
    });
    effect(() => {
      const error = this.store.emailError();
      untracked(() => this.emailErrorLines.set(applyFormError(this.emailForm, error)));
    });
  }

  protected providerLabel(provider: string): string {
    switch (provider) {
      case 'local':
        return 'local account';
      case 'ldap':
        return 'signs in through LDAP';
      case 'oidc':
        return 'signs in through single sign-on';
      default:
        return `signs in through ${provider}`;
    }
  }

  protected saveEmail(): void {
    if (this.emailForm.invalid) {
      this.emailForm.markAllAsTouched();
      return;
    }
    // An empty field removes the address.
    void this.store.saveEmail(this.emailForm.getRawValue().email.trim() || null);
  }

  protected async changePassword(change: PasswordChange): Promise<void> {
    if (await this.store.changePassword(change)) this.passwordForm()?.clear();
  }
}
