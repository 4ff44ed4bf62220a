import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { CSRF_HEADER } from '@tyto/contracts';
import { csrfInterceptor } from './csrf.interceptor';

describe('csrfInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([csrfInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  it('adds the CSRF header to writes', () => {
    http.post('/api/v1/auth/logout', null).subscribe();
    const req = backend.expectOne('/api/v1/auth/logout');
    expect(req.request.headers.get(CSRF_HEADER)).toBe('1');
    req.flush(null, { status: 204, statusText: 'No Content' });
  });

  it('adds it to reads too, so no method list can drift from the hub', () => {
    http.get('/api/v1/auth/me').subscribe();
    const req = backend.expectOne('/api/v1/auth/me');
    expect(req.request.headers.get(CSRF_HEADER)).toBe('1');
    req.flush({});
  });
});
