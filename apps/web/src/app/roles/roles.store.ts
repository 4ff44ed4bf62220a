import type { CodeFields } from '../core/form-error';
import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { CreateRoleRequest, Role, UpdateRoleRequest } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { toFormError } from '../core/form-error';
import { errorBodyOf } from '../core/http';
import { EditorState } from '../shared/editor-state';
import { RolesApi } from './roles.api';

// Editing a system role only shows it: the hub keeps them as the catalogue defines them.
export type RoleEditor = { kind: 'create' } | { kind: 'edit'; role: Role };

// A delete the user started: first a confirmation; when the hub answers that users still hold
// the role, how many, so the page can ask which role they get instead.
export interface RoleDeletion {
  role: Role;
  holders: number | null;
  error: string | null;
}

const FORM_FIELDS: CodeFields = { ROLE_NAME_TAKEN: 'name' };

@Injectable()
export class RolesStore {
  private readonly api = inject(RolesApi);

  private readonly _roles = signal<readonly Role[]>([]);
  private readonly _loading = signal(false);
  private readonly edits = new EditorState<RoleEditor>();
  private readonly _deletion = signal<RoleDeletion | null>(null);

  // System roles first, as the hub seeds them; then custom roles by name.
  readonly roles = computed(() =>
    [...this._roles()].sort(
      (a, b) => Number(b.is_system) - Number(a.is_system) || a.name.localeCompare(b.name),
    ),
  );
  readonly loading = computed(() => this._loading());
  readonly editor = this.edits.editor.asReadonly();
  readonly pending = this.edits.pending.asReadonly();
  readonly error = this.edits.error.asReadonly();
  readonly deletion = computed(() => this._deletion());
  readonly notice = this.edits.notice.asReadonly();
  // Where the holders of the role being deleted can go.
  readonly reassignTargets = computed(() => {
    const deleting = this._deletion()?.role.id;
    return this.roles().filter((r) => r.id !== deleting);
  });

  async load(): Promise<void> {
    this._loading.set(true);
    try {
      this._roles.set(await firstValueFrom(this.api.list()));
    } catch {
      // The error interceptor has shown why; the list stays as it was.
    } finally {
      this._loading.set(false);
    }
  }

  open(editor: RoleEditor | null): void {
    this.edits.open(editor);
    this._deletion.set(null);
  }

  async create(body: CreateRoleRequest): Promise<void> {
    await this.edits.submit(FORM_FIELDS, async () => {
      const role = await firstValueFrom(this.api.create(body));
      this._roles.update((roles) => [...roles, role]);
      return `Role ${role.name} created.`;
    });
  }

  async update(id: string, body: UpdateRoleRequest): Promise<void> {
    await this.edits.submit(FORM_FIELDS, async () => {
      const role = await firstValueFrom(this.api.update(id, body));
      this._roles.update((roles) => roles.map((r) => (r.id === role.id ? role : r)));
      return `Role ${role.name} saved.`;
    });
  }

  askDelete(role: Role): void {
    this.open(null);
    this._deletion.set({ role, holders: null, error: null });
  }

  cancelDelete(): void {
    this._deletion.set(null);
  }

  async confirmDelete(reassignTo?: string): Promise<void> {
    const deletion = this._deletion();
    if (!deletion) return;
    const { role } = deletion;
    this.edits.pending.set(true);
    try {
      await firstValueFrom(this.api.delete(role.id, reassignTo));
      this._roles.update((roles) => roles.filter((r) => r.id !== role.id));
      this._deletion.set(null);
      this.edits.notice.set(`Role ${role.name} deleted.`);
    } catch (err) {
      this._deletion.set({ role, ...deleteFailure(err, deletion.holders) });
    } finally {
      this.edits.pending.set(false);
    }
  }
}

function deleteFailure(
  err: unknown,
  knownHolders: number | null,
): Pick<RoleDeletion, 'holders' | 'error'> {
  const body = err instanceof HttpErrorResponse ? errorBodyOf(err) : null;
  if (body?.code === 'ROLE_IN_USE') {
    const users = body.details['users'];
    return { holders: typeof users === 'number' ? users : 1, error: null };
  }
  // Other refusals (400, 409) are only reported here; the rest the error interceptor has shown.
  const formError = toFormError(err);
  return { holders: knownHolders, error: formError?.message ?? null };
}
