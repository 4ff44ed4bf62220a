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
import type { AbstractControl, ValidationErrors } from '@angular/forms';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { FormError } from '../../core/form-error';
import { applyFormError } from '../../core/form-error';

export interface PasswordChange {
  // Empty when `requireCurrent` is off (an administrator resetting someone else's password).
  current_password: string;
  new_password: string;
}

// The minimum length is the hub's policy (configurable): the page passes it in, the field says
// it under itself from the start and checks it before sending; the hub's answer (should its
// policy differ) appears under the new password.
@Component({
  selector: 'tyto-password-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" data-testid="password-form">
      @if (requireCurrent()) {
        <mat-form-field appearance="outline">
          <mat-label>Current password</mat-label>
          <input
            matInput
            type="password"
            formControlName="current_password"
            autocomplete="current-password"
            data-testid="password-current"
          />
          @if (form.controls.current_password.hasError('required')) {
            <mat-error>Enter your current password.</mat-error>
          }
          @if (form.controls.current_password.getError('server'); as message) {
            <mat-error>{{ message }}</mat-error>
          }
        </mat-form-field>
      }
      <mat-form-field appearance="outline">
        <mat-label>New password</mat-label>
        <input
          matInput
          type="password"
          formControlName="new_password"
          autocomplete="new-password"
          data-testid="password-new"
        />
        @if (minLength(); as min) {
          <mat-hint data-testid="password-hint">At least {{ min }} characters.</mat-hint>
        }
        @if (form.controls.new_password.hasError('required')) {
          <mat-error>Enter a new password.</mat-error>
        }
        @if (form.controls.new_password.getError('minlength'); as e) {
          <mat-error>Use at least {{ e.requiredLength }} characters.</mat-error>
        }
        @if (form.controls.new_password.getError('server'); as message) {
          <mat-error data-testid="password-new-error">{{ message }}</mat-error>
        }
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>Repeat new password</mat-label>
        <input
          matInput
          type="password"
          formControlName="confirm"
          autocomplete="new-password"
          data-testid="password-confirm"
        />
        @if (form.controls.confirm.hasError('mismatch')) {
          <mat-error>The passwords do not match.</mat-error>
        }
      </mat-form-field>
      @for (line of errorLines(); track $index) {
        <p class="error" role="alert" data-testid="password-error">{{ line }}</p>
      }
      <div class="actions">
        <button mat-flat-button type="submit" [disabled]="pending()" data-testid="password-submit">
          {{ submitLabel() }}
        </button>
        @if (cancelable()) {
          <button mat-button type="button" (click)="cancelled.emit()">Cancel</button>
        }
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
      max-width: 420px;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 0 0 8px;
    }
  `,
})
export class PasswordFormComponent {
  readonly requireCurrent = input(false);
  readonly submitLabel = input('Change password');
  readonly cancelable = input(false);
  readonly pending = input(false);
  readonly error = input<FormError | null>(null);
  /** The hub's shortest accepted password; null when not known (no hint, the hub checks). */
  readonly minLength = input<number | null>(null);
  readonly submitted = output<PasswordChange>();
  readonly cancelled = output();

  protected readonly form = inject(NonNullableFormBuilder).group({
    current_password: ['', Validators.required],
    new_password: ['', Validators.required],
    confirm: ['', sameAsNewPassword],
  });
  protected readonly errorLines = signal<string[]>([]);

  constructor() {
    effect(() => {
      const control = this.form.controls.current_password;
      if (this.requireCurrent()) control.enable();
      else control.disable();
    });
    effect(() => {
      const min = this.minLength();
      const control = this.form.controls.new_password;
      control.setValidators(
        min ? [Validators.required, Validators.minLength(min)] : Validators.required,
      );
      untracked(() => control.updateValueAndValidity({ emitEvent: false }));
    });
    effect(() => {
      const error = this.error();
      untracked(() => this.errorLines.set(applyFormError(this.form, error)));
    });
    // A new first password makes the repeated one wrong (or right) again.
    this.form.controls.new_password.valueChanges.subscribe(() =>
      this.form.controls.confirm.updateValueAndValidity(),
    );
  }

  // Empties the form, e.g. after the password was changed.
  clear(): void {
    this.form.reset();
    this.errorLines.set([]);
  }

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { current_password, new_password } = this.form.getRawValue();
    this.submitted.emit({ current_password, new_password });
  }
}

function sameAsNewPassword(control: AbstractControl<string>): ValidationErrors | null {
  const newPassword = control.parent?.get('new_password')?.value as string | undefined;
  return control.value === (newPassword ?? '') ? null : { mismatch: true };
}
