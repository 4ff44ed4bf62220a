import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { CreateUserRequest, Role, UpdateUserRequest, User } from '@tyto/contracts';
import type { FormError } from '../core/form-error';
import { applyFormError } from '../core/form-error';

// The role new users get unless the administrator picks others, as the hub does.
const DEFAULT_ROLES = ['viewer'];

// Creates a user (`user` null) or edits one's email and roles.
@Component({
  selector: 'tyto-user-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
  ],
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" data-testid="user-form">
      @if (!user()) {
        <mat-form-field appearance="outline">
          <mat-label>Username</mat-label>
          <input
            matInput
            formControlName="username"
            autocomplete="off"
            data-testid="user-form-username"
          />
          @if (form.controls.username.hasError('required')) {
            <mat-error>Enter a username.</mat-error>
          }
          @if (form.controls.username.getError('server'); as message) {
            <mat-error>{{ message }}</mat-error>
          }
        </mat-form-field>
      }
      <mat-form-field appearance="outline">
        <mat-label>Email (optional)</mat-label>
        <input
          matInput
          type="email"
          formControlName="email"
          autocomplete="off"
          data-testid="user-form-email"
        />
        @if (form.controls.email.hasError('email')) {
          <mat-error>Enter a valid email address.</mat-error>
        }
        @if (form.controls.email.getError('server'); as message) {
          <mat-error>{{ message }}</mat-error>
        }
      </mat-form-field>
      @if (!user()) {
        <mat-form-field appearance="outline">
          <mat-label>Initial password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="new-password"
            data-testid="user-form-password"
          />
          @if (passwordMinLength(); as min) {
            <mat-hint data-testid="password-hint">At least {{ min }} characters.</mat-hint>
          }
          @if (form.controls.password.hasError('required')) {
            <mat-error>Enter a password.</mat-error>
          }
          @if (form.controls.password.getError('minlength'); as e) {
            <mat-error>Use at least {{ e.requiredLength }} characters.</mat-error>
          }
          @if (form.controls.password.getError('server'); as message) {
            <mat-error>{{ message }}</mat-error>
          }
        </mat-form-field>
      }
      <fieldset class="roles" data-testid="user-form-roles">
        <legend>Roles</legend>
        @for (role of roles(); track role.id) {
          <mat-checkbox
            [checked]="form.controls.roles.value.includes(role.id)"
            (change)="toggleRole(role.id, $event.checked)"
            [attr.data-testid]="'user-form-role-' + role.id"
          >
            {{ role.name }}
          </mat-checkbox>
        }
        @if (form.controls.roles.getError('server'); as message) {
          <p class="error">{{ message }}</p>
        }
      </fieldset>
      @for (line of errorLines(); track $index) {
        <p class="error" role="alert" data-testid="user-form-error">{{ line }}</p>
      }
      <div class="actions">
        <button mat-flat-button type="submit" [disabled]="pending()" data-testid="user-form-submit">
          {{ user() ? 'Save' : 'Create user' }}
        </button>
        <button mat-button type="button" (click)="cancelled.emit()">Cancel</button>
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
      max-width: 520px;
    }
    .roles {
      display: flex;
      flex-wrap: wrap;
      gap: 0 16px;
      border: none;
      padding: 0;
      margin: 0 0 12px;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 0 0 8px;
      width: 100%;
    }
  `,
})
export class UserFormComponent {
  // The user being edited; null to create one.
  readonly user = input<User | null>(null);
  readonly roles = input<readonly Role[]>([]);
  readonly pending = input(false);
  readonly error = input<FormError | null>(null);
  /** The hub's shortest accepted password; null when not known (no hint, the hub checks). */
  readonly passwordMinLength = input<number | null>(null);
  readonly created = output<CreateUserRequest>();
  readonly updated = output<UpdateUserRequest>();
  readonly cancelled = output();

  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    email: ['', Validators.email],
    password: ['', Validators.required],
    roles: [DEFAULT_ROLES],
  });
  protected readonly errorLines = signal<string[]>([]);

  constructor() {
    effect(() => {
      const user = this.user();
      untracked(() => this.fill(user));
    });
    effect(() => {
      const min = this.passwordMinLength();
      const control = this.form.controls.password;
      control.setValidators(
        min ? [Validators.required, Validators.minLength(min)] : Validators.required,
      );
      untracked(() => control.updateValueAndValidity({ emitEvent: false }));
    });
    effect(() => {
      const error = this.error();
      untracked(() => this.errorLines.set(applyFormError(this.form, error)));
    });
  }

  protected toggleRole(id: string, on: boolean): void {
    const roles = this.form.controls.roles.value.filter((r) => r !== id);
    this.form.controls.roles.setValue(on ? [...roles, id] : roles);
  }

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, email, password, roles } = this.form.getRawValue();
    // An empty field means "no email", which the hub stores as null.
    const emailOrNull = email.trim() || null;
    if (this.user()) {
      this.updated.emit({ email: emailOrNull, roles });
    } else {
      this.created.emit({ username: username.trim(), email: emailOrNull, password, roles });
    }
  }

  private fill(user: User | null): void {
    this.form.reset({
      username: user?.username ?? '',
      email: user?.email ?? '',
      password: '',
      roles: user ? [...user.roles] : DEFAULT_ROLES,
    });
    // Username and password are not edited here, so their validators must not block saving.
    for (const control of [this.form.controls.username, this.form.controls.password]) {
      if (user) control.disable();
      else control.enable();
    }
    this.errorLines.set([]);
  }
}
