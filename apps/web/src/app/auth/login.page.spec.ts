import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { Router, provideRouter } from '@angular/router';
import { LoginPage } from './login.page';

describe(LoginPage.name, () => {
  let fixture: ComponentFixture<LoginPage>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideNoopAnimations(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(LoginPage);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
  });

  function byTestId<T extends HTMLElement>(id: string): T | null {
    return el.querySelector<T>(`[data-testid="${id}"]`);
  }

  function submit(username: string, password: string): void {
    for (const [id, value] of [
      ['login-username', username],
      ['login-password', password],
    ]) {
      const input = byTestId<HTMLInputElement>(id);
      if (!input) throw new Error(`${id} is not rendered`);
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    byTestId<HTMLButtonElement>('login-submit')?.click();
    fixture.detectChanges();
  }

  it('sends nothing while a field is empty', () => {
    submit('admin', '');
    backend.expectNone('/api/v1/auth/login');
    expect(el.textContent).toContain('Enter your password.');
  });

  it('shows progress and disables the button while signing in', async () => {
    submit('admin', 'wrong password');
    expect(byTestId('login-loading')).not.toBeNull();
    expect(byTestId<HTMLButtonElement>('login-submit')?.disabled).toBe(true);

    backend
      .expectOne('/api/v1/auth/login')
      .flush(
        { error: 'Invalid credentials', code: 'INVALID_CREDENTIALS', details: {} },
        { status: 401, statusText: 'Unauthorized' },
      );
    await fixture.whenStable();
    fixture.detectChanges();

    expect(byTestId('login-loading')).toBeNull();
    expect(byTestId('login-error')?.textContent).toBe('Invalid username or password.');
    expect(byTestId<HTMLButtonElement>('login-submit')?.disabled).toBe(false);
  });

  it('goes to the page the guard sent the user from', async () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture.componentRef.setInput('returnUrl', '/forbidden');
    submit('admin', 'correct horse battery');
    backend.expectOne('/api/v1/auth/login').flush({
      token: 't',
      user: { id: 'u1', username: 'admin', email: null, roles: ['admin'], permissions: ['*'] },
      expires_at: '2026-01-16T10:30:00Z',
    });
    await fixture.whenStable();

    expect(navigate).toHaveBeenCalledWith('/forbidden');
  });

  it('offers only the password form when the hub has no other provider', async () => {
    backend
      .expectOne('/api/v1/auth/providers')
      .flush({ providers: [{ id: 'local', type: 'local' }], misconfigured: [] });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(byTestId('login-sso')).toBeNull();
    expect(byTestId('login-provider')).toBeNull();
    submit('admin', 'correct horse battery');
    expect(backend.expectOne('/api/v1/auth/login').request.body).toEqual({
      username: 'admin',
      password: 'correct horse battery',
    });
  });

  it('offers the OIDC button and the directory choice, and sends the chosen provider', async () => {
    backend.expectOne('/api/v1/auth/providers').flush({
      providers: [
        { id: 'local', type: 'local' },
        { id: 'ldap', type: 'ldap', name: 'Corporate directory' },
        {
          id: 'oidc',
          type: 'oidc',
          name: 'Sign in with Okta',
          login_url: '/api/v1/auth/oidc/login',
        },
      ],
      misconfigured: [],
    });
    await fixture.whenStable();
    fixture.detectChanges();
    const sso = byTestId<HTMLAnchorElement>('login-sso');
    expect(sso?.textContent?.trim()).toBe('Sign in with Okta');
    expect(sso?.getAttribute('href')).toBe('/api/v1/auth/oidc/login');
    expect(byTestId('login-provider')?.textContent).toContain('Corporate directory');

    submit('alice', 'directory password');
    expect(backend.expectOne('/api/v1/auth/login').request.body).toEqual({
      username: 'alice',
      password: 'directory password',
      provider: 'ldap',
    });
  });

  it('explains a refused single sign-on from the query parameter', () => {
    fixture.componentRef.setInput('sso_error', 'NO_ROLE');
    fixture.detectChanges();
    expect(byTestId('sso-error')?.textContent).toContain('none of your groups gives you a role');
  });
});
