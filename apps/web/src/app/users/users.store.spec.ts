import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Role, User } from '@tyto/contracts';
import { UsersStore } from './users.store';

function user(overrides: Partial<User> = {}): User {
  return {
    id: 'u2',
    username: 'alice',
    email: null,
    roles: ['viewer'],
    auth_provider: 'local',
    provider_roles: [],
    disabled: false,
    created_at: '2026-01-15T10:00:00Z',
    last_login: null,
    ...overrides,
  };
}

const roles: Role[] = [
  {
    id: 'viewer',
    name: 'Viewer',
    description: '',
    permissions: ['dashboard:view'],
    is_system: true,
  },
  {
    id: 'alert-manager',
    name: 'Alert Manager',
    description: '',
    permissions: ['dashboard:view', 'alerts:*'],
    is_system: false,
  },
];

describe(UsersStore.name, () => {
  let store: UsersStore;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [UsersStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(UsersStore);
    backend = TestBed.inject(HttpTestingController);

    const loaded = store.load();
    expect(store.loading()).toBe(true);
    backend.expectOne({ method: 'GET', url: '/api/v1/users' }).flush({ users: [user()] });
    backend.expectOne({ method: 'GET', url: '/api/v1/roles' }).flush({ roles });
    await loaded;
  });

  afterEach(() => backend.verify());

  it('loads the users and the names of their roles', () => {
    expect(store.loading()).toBe(false);
    expect(store.users().map((u) => u.username)).toEqual(['alice']);
    expect(store.roleNames().get('alert-manager')).toBe('Alert Manager');
  });

  it('creates a user with POST and closes the editor', async () => {
    store.open({ kind: 'create' });
    const body = { username: 'bob', password: 'long enough password', roles: ['alert-manager'] };
    const done = store.create(body);
    expect(store.pending()).toBe(true);
    const req = backend.expectOne({ method: 'POST', url: '/api/v1/users' });
    expect(req.request.body).toEqual(body);
    req.flush(user({ id: 'u3', username: 'bob', roles: ['alert-manager'] }));
    await done;

    expect(store.users().map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(store.editor()).toBeNull();
    expect(store.notice()).toBe('User bob created.');
  });

  it("keeps the editor open with the hub's password policy at the password field", async () => {
    store.open({ kind: 'create' });
    const done = store.create({ username: 'bob', password: 'short', roles: ['viewer'] });
    backend.expectOne('/api/v1/users').flush(
      {
        error: 'Password must be at least 12 characters',
        code: 'WEAK_PASSWORD',
        details: { min_length: 12 },
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await done;

    expect(store.editor()).toEqual({ kind: 'create' });
    expect(store.error()).toEqual({
      message: 'Password must be at least 12 characters',
      fields: { password: 'Password must be at least 12 characters' },
    });
    expect(store.users()).toHaveLength(1);
  });

  it('updates email and roles with PUT', async () => {
    const done = store.update('u2', { email: 'a@example.com', roles: ['alert-manager'] });
    const req = backend.expectOne({ method: 'PUT', url: '/api/v1/users/u2' });
    expect(req.request.body).toEqual({ email: 'a@example.com', roles: ['alert-manager'] });
    req.flush(user({ email: 'a@example.com', roles: ['alert-manager'] }));
    await done;

    expect(store.users()[0].roles).toEqual(['alert-manager']);
  });

  it('disables with DELETE and enables again with PUT', async () => {
    const disabled = store.setDisabled(user(), true);
    backend
      .expectOne({ method: 'DELETE', url: '/api/v1/users/u2' })
      .flush(null, { status: 204, statusText: 'No Content' });
    await disabled;
    expect(store.users()[0].disabled).toBe(true);

    const enabled = store.setDisabled(store.users()[0], false);
    const req = backend.expectOne({ method: 'PUT', url: '/api/v1/users/u2' });
    expect(req.request.body).toEqual({ disabled: false });
    req.flush(user());
    await enabled;
    expect(store.users()[0].disabled).toBe(false);
  });

  it('leaves the row alone when the hub refuses to disable the last administrator', async () => {
    const done = store.setDisabled(user(), true);
    backend
      .expectOne('/api/v1/users/u2')
      .flush(
        { error: 'last admin', code: 'LAST_ADMIN', details: {} },
        { status: 409, statusText: 'Conflict' },
      );
    await done;
    expect(store.users()[0].disabled).toBe(false);
  });

  it('resets a password with PUT …/password', async () => {
    const done = store.resetPassword(user(), 'a new long password');
    const req = backend.expectOne({ method: 'PUT', url: '/api/v1/users/u2/password' });
    expect(req.request.body).toEqual({ new_password: 'a new long password' });
    req.flush(null, { status: 204, statusText: 'No Content' });
    await done;
    expect(store.notice()).toContain('Password of alice reset');
  });
});
