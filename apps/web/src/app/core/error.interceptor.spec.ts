import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import type { ErrorBody } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { errorInterceptor } from './error.interceptor';
import { callerHandles } from './http';

function errorBody(code: string, error: string): ErrorBody {
  return { error, code, details: {} };
}

describe('errorInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  const snackBar = { open: jest.fn() };
  const router = { url: '/', navigate: jest.fn().mockResolvedValue(true) };
  const auth = { forget: jest.fn() };

  beforeEach(() => {
    jest.clearAllMocks();
    router.url = '/';
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([errorInterceptor])),
        provideHttpClientTesting(),
        { provide: MatSnackBar, useValue: snackBar },
        { provide: Router, useValue: router },
        { provide: AuthStore, useValue: auth },
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  it('sends the user to the login page on 401, remembering where they were', () => {
    const failed = jest.fn();
    http.get('/api/v1/alerts').subscribe({ error: failed });
    backend.expectOne('/api/v1/alerts').flush(errorBody('UNAUTHENTICATED', 'Sign in first'), {
      status: 401,
      statusText: 'Unauthorized',
    });

    expect(auth.forget).toHaveBeenCalled();
    expect(router.navigate).toHaveBeenCalledWith(['/login'], { queryParams: { returnUrl: '/' } });
    expect(snackBar.open).not.toHaveBeenCalled();
    expect(failed).toHaveBeenCalled();
  });

  it('says so when the session expired', () => {
    http.get('/api/v1/alerts').subscribe({ error: () => undefined });
    backend.expectOne('/api/v1/alerts').flush(errorBody('SESSION_EXPIRED', 'Session expired'), {
      status: 401,
      statusText: 'Unauthorized',
    });

    expect(snackBar.open).toHaveBeenCalledWith(
      expect.stringContaining('session has expired'),
      'Dismiss',
      expect.anything(),
    );
  });

  it("shows the hub's message for other errors", () => {
    http.delete('/api/v1/users/1').subscribe({ error: () => undefined });
    backend
      .expectOne('/api/v1/users/1')
      .flush(errorBody('FORBIDDEN', 'Missing permission users:manage'), {
        status: 403,
        statusText: 'Forbidden',
      });

    expect(snackBar.open).toHaveBeenCalledWith(
      'Missing permission users:manage',
      'Dismiss',
      expect.anything(),
    );
    expect(router.navigate).not.toHaveBeenCalled();
  });

  it('stays out of the way for statuses the caller handles', () => {
    const failed = jest.fn();
    http
      .post('/api/v1/auth/login', {}, { context: callerHandles(401, 429) })
      .subscribe({ error: failed });
    backend
      .expectOne('/api/v1/auth/login')
      .flush(errorBody('INVALID_CREDENTIALS', 'Invalid credentials'), {
        status: 401,
        statusText: 'Unauthorized',
      });

    expect(router.navigate).not.toHaveBeenCalled();
    expect(snackBar.open).not.toHaveBeenCalled();
    expect(auth.forget).not.toHaveBeenCalled();
    expect(failed).toHaveBeenCalled();
  });
});
