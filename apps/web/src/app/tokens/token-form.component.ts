import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { CreateApiTokenRequest, PermissionGrant } from '@tyto/contracts';
import type { FormError } from '../core/form-error';
import { PermissionPickerComponent } from '../shared/ui/permission-picker.component';

// Days until a new token expires; 0: never.
export const EXPIRY_CHOICES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'Never' },
] as const;

const DAY_MS = 86_400_000;

export function tokenRequest(
  name: string,
  permissions: readonly PermissionGrant[],
  days: number,
  now = Date.now(),
): CreateApiTokenRequest {
  return {
    name: name.trim(),
    permissions: [...permissions],
    expires_at: days > 0 ? new Date(now + days * DAY_MS).toISOString() : null,
  };
}

// The form that creates a token: a name, its permissions (only those the user holds are
// accepted by the hub) and when it expires.
@Component({
  selector: 'tyto-token-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    PermissionPickerComponent,
  ],
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" data-testid="token-form">
      <div class="row">
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input
            matInput
            formControlName="name"
            maxlength="128"
            placeholder="prometheus"
            data-testid="token-name"
          />
          <mat-hint>What uses it, e.g. "prometheus" or "backup script".</mat-hint>
          @if (form.controls.name.hasError('required')) {
            <mat-error>Give the token a name.</mat-error>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Expires</mat-label>
          <mat-select formControlName="days" data-testid="token-expiry">
            @for (choice of expiryChoices; track choice.days) {
              <mat-option [value]="choice.days">{{ choice.label }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
      </div>
      <p class="hint">
        Permissions of the token: only ones your roles give you. A token acts with these alone.
      </p>
      <tyto-permission-picker [grants]="grants()" (grantsChange)="grants.set($event)" />
      @if (noGrants()) {
        <p class="error" role="alert">Pick at least one permission.</p>
      }
      @if (error(); as error) {
        <p class="error" role="alert" data-testid="token-form-error">{{ error.message }}</p>
        @for (entry of fieldErrors(); track entry) {
          <p class="error" role="alert">{{ entry }}</p>
        }
      }
      <div class="actions">
        <button mat-flat-button type="submit" [disabled]="pending()" data-testid="token-create">
          Create token
        </button>
      </div>
    </form>
  `,
  styles: `
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0 16px;
    }
    .row mat-form-field:first-child {
      flex: 1 1 240px;
    }
    .row mat-form-field:last-child {
      flex: 0 1 160px;
    }
    .hint {
      color: var(--tyto-muted);
      font-size: 14px;
      margin: 8px 0;
    }
    .error {
      color: var(--mat-sys-error);
      margin: 8px 0 0;
    }
    .actions {
      margin-top: 12px;
    }
  `,
})
export class TokenFormComponent {
  readonly pending = input(false);
  readonly error = input<FormError | null>(null);
  readonly submitted = output<CreateApiTokenRequest>();

  protected readonly expiryChoices = EXPIRY_CHOICES;
  protected readonly grants = signal<readonly PermissionGrant[]>([]);
  protected readonly noGrants = signal(false);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(128)]],
    days: [90 as number],
  });

  constructor() {
    effect(() => {
      if (this.grants().length > 0) this.noGrants.set(false);
    });
  }

  protected fieldErrors(): string[] {
    return Object.entries(this.error()?.fields ?? {}).map(([field, message]) =>
      field === 'form' ? message : `${field}: ${message}`,
    );
  }

  protected submit(): void {
    this.noGrants.set(this.grants().length === 0);
    if (this.form.invalid || this.noGrants()) {
      this.form.markAllAsTouched();
      return;
    }
    const { name, days } = this.form.getRawValue();
    this.submitted.emit(tokenRequest(name, this.grants(), days));
  }

  // After a successful create.
  clear(): void {
    this.form.reset({ name: '', days: 90 });
    this.grants.set([]);
  }
}
