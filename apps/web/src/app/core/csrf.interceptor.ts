import type { HttpInterceptorFn } from '@angular/common/http';
import { CSRF_HEADER } from '@tyto/contracts';

// The hub refuses cookie-authenticated writes without this header. It goes on every request, not
// only writes, so no list of "unsafe" methods has to be kept in step with the hub.
export const csrfInterceptor: HttpInterceptorFn = (req, next) =>
  next(req.clone({ setHeaders: { [CSRF_HEADER]: '1' } }));
