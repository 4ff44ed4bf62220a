import type { CodeFields } from '../core/form-error';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { CreateUserRequest, Role, UpdateUserRequest, User } from '@tyto/contracts';
import { firstValueFrom, forkJoin } from 'rxjs';
import { RolesApi } from '../roles/roles.api';
import { EditorState } from '../shared/editor-state';
import { UsersApi } from './users.api';

// What the editor above the user list is doing.
export type UserEditor =
  { kind: 'create' } | { kind: 'edit'; user: User } | { kind: 'password'; user: User };

// Error codes that are about one field of the user forms.
const CREATE_FIELDS: CodeFields = { USERNAME_TAKEN: 'username', WEAK_PASSWORD: 'password' };
const UPDATE_FIELDS: CodeFields = { UNKNOWN_ROLE: 'roles', LAST_ADMIN: 'roles' };
const PASSWORD_FIELDS: CodeFields = { WEAK_PASSWORD: 'new_password' };

// The users page: the list, the roles users can be given, and the one open editor.
@Injectable()
export class UsersStore {
  private readonly api = inject(UsersApi);
  private readonly rolesApi = inject(RolesApi);

  private readonly _users = signal<readonly User[]>([]);
  private readonly _roles = signal<readonly Role[]>([]);
  private readonly _loading = signal(false);
  private readonly edits = new EditorState<UserEditor>();

  readonly users = computed(() =>
    [...this._users()].sort((a, b) => a.username.localeCompare(b.username)),
  );
  readonly roles = computed(() => this._roles());
  readonly roleNames = computed(() => new Map(this._roles().map((r) => [r.id, r.name])));
  readonly loading = computed(() => this._loading());
  readonly editor = this.edits.editor.asReadonly();
  readonly pending = this.edits.pending.asReadonly();
  readonly error = this.edits.error.asReadonly();
  readonly notice = this.edits.notice.asReadonly();

  async load(): Promise<void> {
    this._loading.set(true);
    try {
      const { users, roles } = await firstValueFrom(
        forkJoin({ users: this.api.list(), roles: this.rolesApi.list() }),
      );
      this._users.set(users);
      this._roles.set(roles);
    } catch {
      // The error interceptor has shown why; the list stays as it was.
    } finally {
      this._loading.set(false);
    }
  }

  open(editor: UserEditor | null): void {
    this.edits.open(editor);
  }

  async create(body: CreateUserRequest): Promise<void> {
    await this.edits.submit(CREATE_FIELDS, async () => {
      const user = await firstValueFrom(this.api.create(body));
      this._users.update((users) => [...users, user]);
      return `User ${user.username} created.`;
    });
  }

  async update(id: string, body: UpdateUserRequest): Promise<void> {
    await this.edits.submit(UPDATE_FIELDS, async () => {
      const user = await firstValueFrom(this.api.update(id, body));
      this.replace(user);
      return `User ${user.username} saved.`;
    });
  }

  async resetPassword(user: User, newPassword: string): Promise<void> {
    await this.edits.submit(PASSWORD_FIELDS, async () => {
      await firstValueFrom(this.api.resetPassword(user.id, { new_password: newPassword }));
      return `Password of ${user.username} reset; their other sessions have ended.`;
    });
  }

  async setDisabled(user: User, disabled: boolean): Promise<void> {
    this.edits.notice.set(null);
    try {
      await firstValueFrom(this.api.setDisabled(user.id, disabled));
      this.replace({ ...user, disabled });
      this.edits.notice.set(
        disabled
          ? `User ${user.username} disabled and signed out.`
          : `User ${user.username} enabled.`,
      );
    } catch {
      // Shown by the error interceptor (for example, the last administrator stays enabled).
    }
  }

  private replace(user: User): void {
    this._users.update((users) => users.map((u) => (u.id === user.id ? user : u)));
  }
}
