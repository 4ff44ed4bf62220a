import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Permission } from '@tyto/contracts';
import { hasPermission } from '@tyto/contracts';
import { AuthStore } from './auth.store';
import { CanDirective } from './can.directive';

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CanDirective],
  template: `
    <button *tytoCan="'users:manage'" data-testid="manage">Disable</button>
    <button *tytoCan="needed()" data-testid="dynamic">Dynamic</button>
  `,
})
class HostComponent {
  readonly needed = signal<Permission>('audit:view');
}

describe(CanDirective.name, () => {
  // The store's real check over grants the test can change, as a new sign-in would.
  const grants = signal<string[]>([]);

  beforeEach(() => {
    grants.set([]);
    TestBed.configureTestingModule({
      providers: [
        {
          provide: AuthStore,
          useValue: { can: (p: Permission) => hasPermission(grants(), p) },
        },
      ],
    });
  });

  function render() {
    const fixture = TestBed.createComponent(HostComponent);
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    return {
      fixture,
      shown: (id: string) => el.querySelector(`[data-testid="${id}"]`) !== null,
    };
  }

  it('hides the element from a user without the permission', () => {
    grants.set(['users:view', 'dashboard:view']);
    expect(render().shown('manage')).toBe(false);
  });

  it('shows it for the exact permission, its resource wildcard or everything', () => {
    for (const held of [['users:manage'], ['users:*'], ['*']]) {
      grants.set(held);
      expect(render().shown('manage')).toBe(true);
    }
  });

  it('follows the signed-in user and the permission asked for', () => {
    const { fixture, shown } = render();
    expect(shown('manage')).toBe(false);

    grants.set(['users:manage']);
    fixture.detectChanges();
    expect(shown('manage')).toBe(true);
    expect(shown('dynamic')).toBe(false);

    fixture.componentInstance.needed.set('users:manage');
    fixture.detectChanges();
    expect(shown('dynamic')).toBe(true);

    grants.set([]);
    fixture.detectChanges();
    expect(shown('manage')).toBe(false);
    expect(shown('dynamic')).toBe(false);
  });
});
