import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import type { User } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { CanDirective } from '../auth/can.directive';
import { PasswordFormComponent } from '../shared/ui/password-form.component';
import { UserFormComponent } from './user-form.component';
import { UsersStore } from './users.store';
import { TimePipe } from '../shared/format/time.pipe';

const COLUMNS = ['username', 'email', 'roles', 'provider', 'status', 'lastLogin'];
import { PasswordPolicy } from '../core/password-policy';

@Component({
  selector: 'tyto-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [UsersStore],
  imports: [
    TimePipe,
    MatButtonModule,
    MatCardModule,
    MatProgressBarModule,
    MatTableModule,
    CanDirective,
    PasswordFormComponent,
    UserFormComponent,
  ],
  template: `
    <header>
      <h1>Users</h1>
      <button
        *tytoCan="'users:manage'"
        mat-flat-button
        type="button"
        (click)="store.open({ kind: 'create' })"
        data-testid="user-create"
      >
        New user
      </button>
    </header>

    @if (store.editor(); as editor) {
      <mat-card appearance="outlined" class="editor">
        @switch (editor.kind) {
          @case ('create') {
            <mat-card-header><mat-card-title>New user</mat-card-title></mat-card-header>
            <mat-card-content>
              <tyto-user-form
                [roles]="store.roles()"
                [pending]="store.pending()"
                [error]="store.error()"
                [passwordMinLength]="passwordPolicy.minLength()"
                (created)="store.create($event)"
                (cancelled)="store.open(null)"
              />
            </mat-card-content>
          }
          @case ('edit') {
            <mat-card-header>
              <mat-card-title>Edit {{ editor.user.username }}</mat-card-title>
            </mat-card-header>
            <mat-card-content>
              <tyto-user-form
                [user]="editor.user"
                [roles]="store.roles()"
                [pending]="store.pending()"
                [error]="store.error()"
                (updated)="store.update(editor.user.id, $event)"
                (cancelled)="store.open(null)"
              />
            </mat-card-content>
          }
          @case ('password') {
            <mat-card-header>
              <mat-card-title>Reset the password of {{ editor.user.username }}</mat-card-title>
              <mat-card-subtitle>Their sessions end; give them the new password.</mat-card-subtitle>
            </mat-card-header>
            <mat-card-content>
              <tyto-password-form
                submitLabel="Reset password"
                [cancelable]="true"
                [pending]="store.pending()"
                [error]="store.error()"
                [minLength]="passwordPolicy.minLength()"
                (submitted)="store.resetPassword(editor.user, $event.new_password)"
                (cancelled)="store.open(null)"
              />
            </mat-card-content>
          }
        }
      </mat-card>
    }

    @if (store.notice(); as notice) {
      <p class="notice" role="status" data-testid="users-notice">{{ notice }}</p>
    }

    <mat-card appearance="outlined">
      <div class="progress">
        @if (store.loading()) {
          <mat-progress-bar mode="indeterminate" />
        }
      </div>
      <!-- On a phone the table scrolls sideways in its card, not the page. -->
      <div class="scroll">
        <table mat-table [dataSource]="store.users()" data-testid="users-table">
          <ng-container matColumnDef="username">
            <th mat-header-cell *matHeaderCellDef>Username</th>
            <td mat-cell *matCellDef="let user">{{ user.username }}</td>
          </ng-container>
          <ng-container matColumnDef="email">
            <th mat-header-cell *matHeaderCellDef>Email</th>
            <td mat-cell *matCellDef="let user">{{ user.email ?? '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="roles">
            <th mat-header-cell *matHeaderCellDef>Roles</th>
            <td mat-cell *matCellDef="let user" data-testid="user-roles">{{ roleNames(user) }}</td>
          </ng-container>
          <ng-container matColumnDef="provider">
            <th mat-header-cell *matHeaderCellDef>Sign-in</th>
            <td mat-cell *matCellDef="let user">{{ user.auth_provider }}</td>
          </ng-container>
          <ng-container matColumnDef="status">
            <th mat-header-cell *matHeaderCellDef>Status</th>
            <td mat-cell *matCellDef="let user">
              <span class="status" [class.disabled]="user.disabled" data-testid="user-status">
                {{ user.disabled ? 'Disabled' : 'Active' }}
              </span>
            </td>
          </ng-container>
          <ng-container matColumnDef="lastLogin">
            <th mat-header-cell *matHeaderCellDef>Last sign-in</th>
            <td mat-cell *matCellDef="let user">
              {{ user.last_login ? (user.last_login | time: 'datetime') : 'Never' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="sr-only">Actions</span></th>
            <td mat-cell *matCellDef="let user" class="actions">
              <button
                mat-button
                type="button"
                (click)="store.open({ kind: 'edit', user })"
                data-testid="user-edit"
              >
                Edit
              </button>
              @if (user.auth_provider === 'local') {
                <button
                  mat-button
                  type="button"
                  (click)="store.open({ kind: 'password', user })"
                  data-testid="user-reset-password"
                >
                  Reset password
                </button>
              }
              <button
                mat-button
                type="button"
                (click)="store.setDisabled(user, !user.disabled)"
                data-testid="user-toggle-disabled"
              >
                {{ user.disabled ? 'Enable' : 'Disable' }}
              </button>
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns()"></tr>
          <tr
            mat-row
            *matRowDef="let user; columns: columns()"
            [attr.data-testid]="'user-row-' + user.username"
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
    .editor {
      margin-bottom: 16px;
    }
    .editor mat-card-content {
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
    .actions {
      white-space: nowrap;
      text-align: right;
    }
    .status.disabled {
      color: var(--tyto-critical);
      font-weight: 500;
    }
    .notice {
      margin: 0 0 12px;
    }
  `,
})
export class UsersPage {
  protected readonly store = inject(UsersStore);
  protected readonly passwordPolicy = inject(PasswordPolicy);
  private readonly auth = inject(AuthStore);

  // The actions column only for those who may use it.
  protected readonly columns = computed(() =>
    this.auth.can('users:manage') ? [...COLUMNS, 'actions'] : COLUMNS,
  );

  constructor() {
    void this.store.load();
    this.passwordPolicy.load();
  }

  protected roleNames(user: User): string {
    const names = this.store.roleNames();
    // Roles the provider gave are marked apart from the ones an administrator pinned.
    const fromProvider = new Set(user.provider_roles);
    return (
      user.roles
        .map((id) => {
          const name = names.get(id) ?? id;
          return fromProvider.has(id) ? `${name} (from ${user.auth_provider})` : name;
        })
        .join(', ') || '—'
    );
  }
}
