import { DatePipe } from '@angular/common';
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
import { applyFormError } from '../core/form-error';
import type { PasswordChange } from '../shared/ui/password-form.component';
import { PasswordFormComponent } from '../shared/ui/password-form.component';
import { AccountStore } from './account.store';

@Component({
  selector: 'tyto-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AccountStore],
  imports: [
    DatePipe,
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
            <mat-card-subtitle>
              {{ me.roles.join(', ') }} · signs in with {{ me.auth_provider }}
              @if (me.last_login) {
                · last sign-in {{ me.last_login | date: 'yyyy-MM-dd HH:mm' }}
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
                [pending]="store.passwordPending()"
                [error]="store.passwordError()"
                (submitted)="changePassword($event)"
              />
            } @else {
              <p>Your password is managed by {{ me.auth_provider }}; change it there.</p>
            }
          </mat-card-content>
        </mat-card>
      </div>
    }
  `,
  styles: `
    .cards {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
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
  `,
})
export class AccountPage {
  protected readonly store = inject(AccountStore);
  protected readonly emailForm = inject(NonNullableFormBuilder).group({
    email: ['', Validators.email],
  });
  protected readonly emailErrorLines = signal<string[]>([]);
  private readonly passwordForm = viewChild(PasswordFormComponent);

  constructor() {
    void this.store.load();
    effect(() => {
      const email = this.store.me()?.email ?? '';
      untracked(() => this.emailForm.reset({ email }));
    });
    effect(() => {
      const error = this.store.emailError();
      untracked(() => this.emailErrorLines.set(applyFormError(this.emailForm, error)));
    });
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
