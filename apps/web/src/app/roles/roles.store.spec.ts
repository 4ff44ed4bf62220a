import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Role } from '@tyto/contracts';
import { RolesStore } from './roles.store';

const viewer: Role = {
  id: 'viewer',
  name: 'Viewer',
  description: 'Read-only',
  permissions: ['dashboard:view'],
  is_system: true,
};
const alertManager: Role = {
  id: 'alert-manager',
  name: 'Alert Manager',
  description: '',
  permissions: ['dashboard:view', 'alerts:*'],
  is_system: false,
};

describe(RolesStore.name, () => {
  let store: RolesStore;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [RolesStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(RolesStore);
    backend = TestBed.inject(HttpTestingController);
    const loaded = store.load();
    backend.expectOne({ method: 'GET', url: '/api/v1/roles' }).flush({
      roles: [alertManager, viewer],
    });
    await loaded;
  });

  afterEach(() => backend.verify());

  it('lists system roles first', () => {
    expect(store.roles().map((r) => r.id)).toEqual(['viewer', 'alert-manager']);
  });

  it('creates a role with POST', async () => {
    store.open({ kind: 'create' });
    const body = { name: 'Log Reader', description: '', permissions: ['logs:view' as const] };
    const done = store.create(body);
    const req = backend.expectOne({ method: 'POST', url: '/api/v1/roles' });
    expect(req.request.body).toEqual(body);
    req.flush({ ...body, id: 'log-reader', is_system: false });
    await done;

    expect(store.roles().map((r) => r.id)).toContain('log-reader');
    expect(store.editor()).toBeNull();
  });

  it('puts a taken name at the name field', async () => {
    const done = store.update('alert-manager', { name: 'Viewer' });
    backend
      .expectOne({ method: 'PUT', url: '/api/v1/roles/alert-manager' })
      .flush(
        { error: "A role named 'Viewer' already exists", code: 'ROLE_NAME_TAKEN', details: {} },
        { status: 409, statusText: 'Conflict' },
      );
    await done;
    expect(store.error()?.fields).toEqual({ name: "A role named 'Viewer' already exists" });
  });

  it('asks where the holders go when the role is in use, then deletes reassigning them', async () => {
    store.askDelete(alertManager);
    const first = store.confirmDelete();
    backend.expectOne({ method: 'DELETE', url: '/api/v1/roles/alert-manager' }).flush(
      {
        error: "Role 'Alert Manager' is held by 2 user(s); pass reassign_to to move them",
        code: 'ROLE_IN_USE',
        details: { users: 2 },
      },
      { status: 409, statusText: 'Conflict' },
    );
    await first;
    expect(store.deletion()).toEqual({ role: alertManager, holders: 2, error: null });
    expect(store.reassignTargets().map((r) => r.id)).toEqual(['viewer']);

    const second = store.confirmDelete('viewer');
    const req = backend.expectOne(
      (r) => r.method === 'DELETE' && r.url === '/api/v1/roles/alert-manager',
    );
    expect(req.request.params.get('reassign_to')).toBe('viewer');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await second;

    expect(store.deletion()).toBeNull();
    expect(store.roles().map((r) => r.id)).toEqual(['viewer']);
    expect(store.notice()).toBe('Role Alert Manager deleted.');
  });
});
