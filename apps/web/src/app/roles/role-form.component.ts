import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { CreateRoleRequest, PermissionGrant, Role } from '@tyto/contracts';
import type { FormError } from '../core/form-error';
import { applyFormError } from '../core/form-error';
import { normalizeGrants } from '../shared/ui/permission-grants';
import { PermissionPickerComponent } from '../shared/ui/permission-picker.component';

// Creates a role (`role` null) or edits a custom one; a system role is only shown.
@Component({
  selector: 'tyto-role-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    PermissionPickerComponent,
  ],
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" data-testid="role-form">
      @if (readOnly()) {
        <p class="hint" data-testid="role-form-read-only">
          System roles are built in and cannot be changed. Create a custom role for other
          combinations.
        </p>
      }
      <mat-form-field appearance="outline">
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" autocomplete="off" data-testid="role-form-name" />
        @if (form.controls.name.hasError('required')) {
          <mat-error>Enter a name.</mat-error>
        }
        @if (form.controls.name.getError('server'); as message) {
          <mat-error>{{ message }}</mat-error>
        }
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>Description</mat-label>
        <input
          matInput
          formControlName="description"
          autocomplete="off"
          data-testid="role-form-description"
        />
        @if (form.controls.description.getError('server'); as message) {
          <mat-error>{{ message }}</mat-error>
        }
      </mat-form-field>
      <tyto-permission-picker
        [grants]="grants()"
        [readOnly]="readOnly()"
        (grantsChange)="grants.set($event)"
      />
      @for (line of errorLines(); track $index) {
        <p class="error" role="alert" data-testid="role-form-error">{{ line }}</p>
      }
      <div class="actions">
        @if (!readOnly()) {
          <button
            mat-flat-button
            type="submit"
            [disabled]="pending()"
            data-testid="role-form-submit"
          >
            {{ role() ? 'Save' : 'Create role' }}
          </button>
        }
        <button mat-button type="button" (click)="cancelled.emit()">
          {{ readOnly() ? 'Close' : 'Cancel' }}
        </button>
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    mat-form-field {
      max-width: 520px;
    }
    .actions {
      display: flex;
      gap: 8px;
      margin-top: 12px;
    }
    .hint {
      margin: 0 0 12px;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
      margin: 8px 0 0;
    }
  `,
})
export class RoleFormComponent {
  // The role being edited or shown; null to create one.
  readonly role = input<Role | null>(null);
  readonly pending = input(false);
  readonly error = input<FormError | null>(null);
  // The whole role, also for edits: name, description and grants are saved together.
  readonly saved = output<CreateRoleRequest>();
  readonly cancelled = output();

  protected readonly readOnly = computed(() => this.role()?.is_system ?? false);
  protected readonly grants = signal<PermissionGrant[]>([]);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', Validators.required],
    description: [''],
  });
  protected readonly errorLines = signal<string[]>([]);

  constructor() {
    effect(() => {
      const role = this.role();
      const readOnly = this.readOnly();
      untracked(() => {
        this.form.reset({ name: role?.name ?? '', description: role?.description ?? '' });
        if (readOnly) this.form.disable();
        else this.form.enable();
        this.grants.set(normalizeGrants(role?.permissions ?? []));
        this.errorLines.set([]);
      });
    });
    effect(() => {
      const error = this.error();
      // The picker has no control of its own; its field's messages go above the buttons.
      untracked(() => this.errorLines.set(applyFormError(this.form, error)));
    });
  }

  protected submit(): void {
    if (this.readOnly()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { name, description } = this.form.getRawValue();
    this.saved.emit({
      name: name.trim(),
      description: description.trim(),
      permissions: this.grants(),
    });
  }
}
