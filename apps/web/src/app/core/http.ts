import type { HttpErrorResponse } from '@angular/common/http';
import { HttpContext, HttpContextToken } from '@angular/common/http';
import type { ErrorBody } from '@tyto/contracts';

export const API_BASE = '/api/v1';

// HTTP statuses a caller reports itself (the login form shows 401 and 429 inline); the error
// interceptor leaves responses with these statuses alone.
export const CALLER_HANDLES = new HttpContextToken<readonly number[]>(() => []);

export function callerHandles(...statuses: number[]): HttpContext {
  return new HttpContext().set(CALLER_HANDLES, statuses);
}

export function errorBodyOf(err: HttpErrorResponse): ErrorBody | null {
  const body: unknown = err.error;
  if (typeof body === 'object' && body !== null && 'error' in body && 'code' in body) {
    return body as ErrorBody;
  }
  return null;
}

export function errorMessage(err: HttpErrorResponse): string {
  if (err.status === 0) return 'Cannot reach the Tyto hub.';
  return errorBodyOf(err)?.error ?? `Request failed (${err.status} ${err.statusText}).`;
}
