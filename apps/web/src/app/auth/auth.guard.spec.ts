import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ActivatedRouteSnapshot, RouterStateSnapshot } from '@angular/router';
import { Router, UrlTree, provideRouter } from '@angular/router';
import type { MeResponse } from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { firstValueFrom, isObservable } from 'rxjs';
import { authGuard, permissionGuard } from './auth.guard';
import { AuthStore } from './auth.store';

function me(permissions: string[]): MeResponse {
  return {
    id: 'u1',
    username: 'viewer',
    email: null,
    roles: ['viewer'],
    permissions,
    auth_provider: 'local',
    last_login: null,
  };
}

type GuardResult = boolean | UrlTree;

async function settle(result: unknown): Promise<GuardResult> {
  const value = isObservable(result)
    ? await firstValueFrom(result as Observable<GuardResult>)
    : result;
  return value as GuardResult;
}

describe('auth guards', () => {
  let backend: HttpTestingController;
  let router: Router;
  const route = {} as ActivatedRouteSnapshot;
  const state = { url: '/' } as RouterStateSnapshot;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  afterEach(() => backend.verify());

  describe('authGuard', () => {
    it('redirects to /login when the hub has no session for the cookie', async () => {
      const result = settle(TestBed.runInInjectionContext(() => authGuard(route, state)));
      backend
        .expectOne('/api/v1/auth/me')
        .flush(
          { error: 'Sign in first', code: 'UNAUTHENTICATED', details: {} },
          { status: 401, statusText: 'Unauthorized' },
        );

      const redirect = await result;
      expect(redirect).toBeInstanceOf(UrlTree);
      expect(router.serializeUrl(redirect as UrlTree)).toBe('/login?returnUrl=%2F');
    });

    it('lets a signed-in user through and remembers who they are', async () => {
      const result = settle(TestBed.runInInjectionContext(() => authGuard(route, state)));
      backend.expectOne('/api/v1/auth/me').flush(me(['dashboard:view']));

      expect(await result).toBe(true);
      expect(TestBed.inject(AuthStore).username()).toBe('viewer');
    });

    it('does not ask the hub again once the user is known', async () => {
      const first = settle(TestBed.runInInjectionContext(() => authGuard(route, state)));
      backend.expectOne('/api/v1/auth/me').flush(me(['dashboard:view']));
      await first;

      const again = await settle(TestBed.runInInjectionContext(() => authGuard(route, state)));
      expect(again).toBe(true);
      backend.expectNone('/api/v1/auth/me');
    });
  });

  describe('permissionGuard', () => {
    async function signIn(permissions: string[]): Promise<void> {
      const result = settle(TestBed.runInInjectionContext(() => authGuard(route, state)));
      backend.expectOne('/api/v1/auth/me').flush(me(permissions));
      await result;
    }

    it('allows a user whose role grants the permission, wildcards included', async () => {
      await signIn(['dashboard:*']);
      const guard = permissionGuard('dashboard:view');
      expect(await settle(TestBed.runInInjectionContext(() => guard(route, state)))).toBe(true);
    });

    it('sends everyone else to the no-access page', async () => {
      await signIn(['alerts:view']);
      const guard = permissionGuard('dashboard:view');
      const result = await settle(TestBed.runInInjectionContext(() => guard(route, state)));
      expect(router.serializeUrl(result as UrlTree)).toBe('/forbidden');
    });
  });
});
