import type { HttpInterceptorFn } from '@angular/common/http';
import { HttpErrorResponse } from '@angular/common/http';
import { inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { AuthStore } from '../auth/auth.store';
import { CALLER_HANDLES, errorBodyOf, errorMessage } from './http';

// The one place that turns failed requests into something the user sees: a snackbar with the
// hub's message, or the login page once the session is gone. The error is rethrown either way so
// callers can still reset their own loading state.
export const errorInterceptor: HttpInterceptorFn = (req, next) => {
  const router = inject(Router);
  const snackBar = inject(MatSnackBar);
  const auth = inject(AuthStore);

  return next(req).pipe(
    catchError((err: unknown) => {
      if (
        !(err instanceof HttpErrorResponse) ||
        req.context.get(CALLER_HANDLES).includes(err.status)
      ) {
        return throwError(() => err);
      }
      if (err.status === 401) {
        auth.forget();
        if (errorBodyOf(err)?.code === 'SESSION_EXPIRED') {
          snackBar.open('Your session has expired. Please sign in again.', 'Dismiss', {
            duration: 6000,
          });
        }
        if (!router.url.startsWith('/login')) {
          void router.navigate(['/login'], { queryParams: { returnUrl: router.url } });
        }
      } else {
        snackBar.open(errorMessage(err), 'Dismiss', { duration: 6000 });
      }
      return throwError(() => err);
    }),
  );
};
