import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { LoginResponse } from '@tyto/contracts';
import { AuthStore } from './auth.store';

function loginResponse(): LoginResponse {
  return {
    token: 'not-kept-by-the-web-app',
    user: {
      id: 'u1',
      username: 'admin',
      email: null,
      roles: ['admin'],
      permissions: ['*'],
    },
    expires_at: '2026-01-16T10:30:00Z',
  };
}

describe(AuthStore.name, () => {
  let store: AuthStore;
  let backend: HttpTestingController;
  const credentials = { username: 'admin', password: 'correct horse battery' };

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(AuthStore);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  describe('login', () => {
    it('keeps the user, not the token, and is pending only while the request runs', async () => {
      const done = store.login(credentials);
      expect(store.loginPending()).toBe(true);
      const req = backend.expectOne('/api/v1/auth/login');
      expect(req.request.body).toEqual(credentials);
      req.flush(loginResponse());

      expect(await done).toBe(true);
      expect(store.loginPending()).toBe(false);
      expect(store.username()).toBe('admin');
      expect(store.can('users:manage')).toBe(true);
      expect(JSON.stringify(store.user())).not.toContain('not-kept-by-the-web-app');
    });

    it('says the credentials are wrong on 401', async () => {
      const done = store.login(credentials);
      backend
        .expectOne('/api/v1/auth/login')
        .flush(
          { error: 'Invalid credentials', code: 'INVALID_CREDENTIALS', details: {} },
          { status: 401, statusText: 'Unauthorized' },
        );

      expect(await done).toBe(false);
      expect(store.loginError()).toBe('Invalid username or password.');
      expect(store.user()).toBeNull();
    });

    it('says when to retry on 429', async () => {
      const done = store.login(credentials);
      backend
        .expectOne('/api/v1/auth/login')
        .flush(
          { error: 'Too many attempts', code: 'RATE_LIMITED', details: {} },
          { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '30' } },
        );

      expect(await done).toBe(false);
      expect(store.loginError()).toBe('Too many sign-in attempts. Try again in 30 s.');
    });

    it('says a lockout in minutes, not seconds', async () => {
      const done = store.login(credentials);
      backend
        .expectOne('/api/v1/auth/login')
        .flush(
          { error: 'Too many attempts', code: 'RATE_LIMITED', details: {} },
          { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '900' } },
        );

      expect(await done).toBe(false);
      expect(store.loginError()).toBe('Too many sign-in attempts. Try again in 15 min.');
    });

    it('clears the previous error when trying again', async () => {
      const first = store.login(credentials);
      backend
        .expectOne('/api/v1/auth/login')
        .flush(null, { status: 401, statusText: 'Unauthorized' });
      await first;

      const second = store.login(credentials);
      expect(store.loginError()).toBeNull();
      backend.expectOne('/api/v1/auth/login').flush(loginResponse());
      await second;
    });
  });

  describe('logout', () => {
    it('forgets the user even when the hub had already ended the session', async () => {
      const login = store.login(credentials);
      backend.expectOne('/api/v1/auth/login').flush(loginResponse());
      await login;

      const done = store.logout();
      backend
        .expectOne('/api/v1/auth/logout')
        .flush(null, { status: 401, statusText: 'Unauthorized' });
      await done;

      expect(store.user()).toBeNull();
    });
  });
});
