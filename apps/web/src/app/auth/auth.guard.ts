import { inject } from '@angular/core';
import type { CanActivateFn } from '@angular/router';
import { Router } from '@angular/router';
import type { Permission } from '@tyto/contracts';
import { map } from 'rxjs';
import { AuthStore } from './auth.store';

export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  return auth
    .restore()
    .pipe(
      map(
        (signedIn) =>
          signedIn || router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } }),
      ),
    );
};

// Runs after authGuard, so the user is known here.
export function permissionGuard(permission: Permission): CanActivateFn {
  return () => {
    const auth = inject(AuthStore);
    const router = inject(Router);
    return auth.can(permission) || router.createUrlTree(['/forbidden']);
  };
}
