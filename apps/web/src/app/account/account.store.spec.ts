import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { MeResponse } from '@tyto/contracts';
import { AccountStore } from './account.store';

const me: MeResponse = {
  id: 'u2',
  username: 'alice',
  email: null,
  roles: ['viewer'],
  permissions: ['dashboard:view'],
  auth_provider: 'local',
  last_login: '2026-01-15T10:00:00Z',
};

describe(AccountStore.name, () => {
  let store: AccountStore;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [AccountStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(AccountStore);
    backend = TestBed.inject(HttpTestingController);
    const loaded = store.load();
    backend.expectOne({ method: 'GET', url: '/api/v1/auth/me' }).flush(me);
    await loaded;
  });

  afterEach(() => backend.verify());

  it('saves the email with PUT /auth/me', async () => {
    const done = store.saveEmail('alice@example.com');
    const req = backend.expectOne({ method: 'PUT', url: '/api/v1/auth/me' });
    expect(req.request.body).toEqual({ email: 'alice@example.com' });
    req.flush({ ...me, email: 'alice@example.com' });
    await done;
    expect(store.me()?.email).toBe('alice@example.com');
  });

  it('changes the password with the current one', async () => {
    const body = { current_password: 'old password 1', new_password: 'new password 12' };
    const done = store.changePassword(body);
    const req = backend.expectOne({ method: 'PUT', url: '/api/v1/auth/me/password' });
    expect(req.request.body).toEqual(body);
    req.flush(null, { status: 204, statusText: 'No Content' });
    expect(await done).toBe(true);
    expect(store.passwordError()).toBeNull();
  });

  it('puts a wrong current password at its field', async () => {
    const done = store.changePassword({ current_password: 'wrong', new_password: 'x'.repeat(12) });
    backend.expectOne('/api/v1/auth/me/password').flush(
      {
        error: 'The current password is not correct',
        code: 'INVALID_CURRENT_PASSWORD',
        details: {},
      },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(await done).toBe(false);
    expect(store.passwordError()?.fields).toEqual({
      current_password: 'The current password is not correct',
    });
  });
});
