import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Permission } from '@tyto/contracts';
import { SYSTEM_ROLE_DEFINITIONS, hasPermission } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { MainNavComponent } from './main-nav.component';

describe(MainNavComponent.name, () => {
  const grants = signal<readonly string[]>([]);

  function links(held: readonly string[]): string[] {
    grants.set(held);
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: AuthStore, useValue: { can: (p: Permission) => hasPermission(grants(), p) } },
      ],
    });
    const fixture = TestBed.createComponent(MainNavComponent);
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    return Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('data-testid') ?? '');
  }

  it('offers an administrator every page', () => {
    expect(links(SYSTEM_ROLE_DEFINITIONS.admin.permissions)).toEqual([
      'nav-dashboard',
      'nav-host',
      'nav-agents',
      'nav-processes',
      'nav-alerts',
      'nav-logs',
      'nav-users',
      'nav-roles',
      'nav-tokens',
      'nav-audit',
      'nav-account',
    ]);
  });

  it('offers a custom alerts role only the dashboard, alerts and the own account', () => {
    expect(links(['dashboard:view', 'alerts:*'])).toEqual([
      'nav-dashboard',
      'nav-host',
      'nav-alerts',
      'nav-account',
    ]);
  });

  it('lists the token administration for tokens:manage alone', () => {
    expect(links(['tokens:manage'])).toEqual(['nav-tokens', 'nav-account']);
  });

  it('shows the audit log to whoever may read it, without user administration', () => {
    expect(links(['audit:view'])).toEqual(['nav-audit', 'nav-account']);
  });
});
