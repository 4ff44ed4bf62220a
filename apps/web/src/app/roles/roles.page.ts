import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { Role } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { CanDirective } from '../auth/can.directive';
import { RoleFormComponent } from './role-form.component';
import { RolesStore } from './roles.store';

const COLUMNS = ['name', 'description', 'permissions'];

@Component({
  selector: 'tyto-roles-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [RolesStore],
  imports: [
    FormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    CanDirective,
    RoleFormComponent,
  ],
  template: `
    <header>
      <h1>Roles</h1>
      <button
        *tytoCan="'roles:manage'"
        mat-flat-button
        type="button"
        (click)="store.open({ kind: 'create' })"
        data-testid="role-create"
      >
        New role
      </button>
    </header>

    @if (store.editor(); as editor) {
      <mat-card appearance="outlined" class="panel">
        @switch (editor.kind) {
          @case ('create') {
            <mat-card-header><mat-card-title>New role</mat-card-title></mat-card-header>
            <mat-card-content>
              <tyto-role-form
                [pending]="store.pending()"
                [error]="store.error()"
                (saved)="store.create($event)"
                (cancelled)="store.open(null)"
              />
            </mat-card-content>
          }
          @case ('edit') {
            <mat-card-header>
              <mat-card-title>{{ editor.role.name }}</mat-card-title>
              <mat-card-subtitle>{{ editor.role.id }}</mat-card-subtitle>
            </mat-card-header>
            <mat-card-content>
              <tyto-role-form
                [role]="editor.role"
                [pending]="store.pending()"
                [error]="store.error()"
                (saved)="store.update(editor.role.id, $event)"
                (cancelled)="store.open(null)"
              />
            </mat-card-content>
          }
        }
      </mat-card>
    }

    @if (store.deletion(); as deletion) {
      <mat-card appearance="outlined" class="panel" data-testid="role-delete">
        <mat-card-content>
          @if (deletion.holders === null) {
            <p>Delete the role {{ deletion.role.name }}? This cannot be undone.</p>
          } @else {
            <p data-testid="role-delete-in-use">
              {{ deletion.role.name }} is still held by {{ holders(deletion.holders) }}. Choose the
              role they get instead, or remove it from them on the Users page first.
            </p>
            <mat-form-field appearance="outline">
              <mat-label>Give them</mat-label>
              <mat-select [(ngModel)]="reassignTo" data-testid="role-delete-reassign">
                @for (role of store.reassignTargets(); track role.id) {
                  <mat-option [value]="role.id">{{ role.name }}</mat-option>
                }
              </mat-select>
            </mat-form-field>
          }
          @if (deletion.error; as error) {
            <p class="error" role="alert" data-testid="role-delete-error">{{ error }}</p>
          }
          <div class="actions">
            <button
              mat-flat-button
              type="button"
              [disabled]="store.pending() || (deletion.holders !== null && !reassignTo())"
              (click)="confirmDelete(deletion.holders !== null)"
              data-testid="role-delete-confirm"
            >
              {{ deletion.holders === null ? 'Delete' : 'Reassign and delete' }}
            </button>
            <button mat-button type="button" (click)="store.cancelDelete()">Cancel</button>
          </div>
        </mat-card-content>
      </mat-card>
    }

    @if (store.notice(); as notice) {
      <p class="notice" role="status" data-testid="roles-notice">{{ notice }}</p>
    }

    <mat-card appearance="outlined">
      <div class="progress">
        @if (store.loading()) {
          <mat-progress-bar mode="indeterminate" />
        }
      </div>
      <!-- On a phone the table scrolls sideways in its card, not the page. -->
      <div class="scroll">
        <table mat-table [dataSource]="store.roles()" data-testid="roles-table">
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let role">
              {{ role.name }}
              @if (role.is_system) {
                <span class="badge" data-testid="role-system">System</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="description">
            <th mat-header-cell *matHeaderCellDef>Description</th>
            <td mat-cell *matCellDef="let role">{{ role.description || '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="permissions">
            <th mat-header-cell *matHeaderCellDef>Permissions</th>
            <td mat-cell *matCellDef="let role" class="grants" data-testid="role-permissions">
              {{ grantSummary(role) }}
            </td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="sr-only">Actions</span></th>
            <td mat-cell *matCellDef="let role" class="row-actions">
              <button
                mat-button
                type="button"
                (click)="store.open({ kind: 'edit', role })"
                data-testid="role-edit"
              >
                {{ role.is_system ? 'View' : 'Edit' }}
              </button>
              @if (!role.is_system) {
                <button
                  mat-button
                  type="button"
                  (click)="askDelete(role)"
                  data-testid="role-delete-start"
                >
                  Delete
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns()"></tr>
          <tr
            mat-row
            *matRowDef="let role; columns: columns()"
            [attr.data-testid]="'role-row-' + role.id"
          ></tr>
        </table>
      </div>
    </mat-card>
  `,
  styles: `
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
    }
    .panel {
      margin-bottom: 16px;
    }
    .panel mat-card-content {
      padding-top: 12px;
    }
    .progress {
      height: 4px;
    }
    /* Positioned, so it also clips the screen-reader-only header text (absolute). */
    .scroll {
      overflow-x: auto;
      position: relative;
    }
    table {
      width: 100%;
    }
    .grants {
      font-family: ui-monospace, monospace;
      font-size: 12px;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
    .row-actions {
      white-space: nowrap;
      text-align: right;
    }
    .badge {
      margin-left: 8px;
      padding: 1px 6px;
      border-radius: 8px;
      font-size: 11px;
      background: var(--tyto-track);
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
    .notice {
      margin: 0 0 12px;
    }
  `,
})
export class RolesPage {
  protected readonly store = inject(RolesStore);
  private readonly auth = inject(AuthStore);

  // Viewing roles needs users:view (as on the hub); the actions column needs roles:manage.
  protected readonly columns = computed(() =>
    this.auth.can('roles:manage') ? [...COLUMNS, 'actions'] : COLUMNS,
  );
  protected readonly reassignTo = signal<string | null>(null);

  constructor() {
    void this.store.load();
  }

  protected grantSummary(role: Role): string {
    if (role.permissions.includes('*')) return 'Everything (*)';
    return role.permissions.join(', ') || 'None';
  }

  protected holders(count: number): string {
    return count === 1 ? '1 user' : `${count} users`;
  }

  protected askDelete(role: Role): void {
    this.reassignTo.set(null);
    this.store.askDelete(role);
  }

  protected confirmDelete(reassigning: boolean): void {
    void this.store.confirmDelete(reassigning ? (this.reassignTo() ?? undefined) : undefined);
  }
}
