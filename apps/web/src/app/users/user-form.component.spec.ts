import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { CreateUserRequest, Role, UpdateUserRequest, User } from '@tyto/contracts';
import { UserFormComponent } from './user-form.component';

const roles: Role[] = [
  { id: 'viewer', name: 'Viewer', description: '', permissions: [], is_system: true },
  {
    id: 'alert-manager',
    name: 'Alert Manager',
    description: '',
    permissions: [],
    is_system: false,
  },
];

describe(UserFormComponent.name, () => {
  let fixture: ComponentFixture<UserFormComponent>;
  let el: HTMLElement;
  let created: CreateUserRequest[];
  let updated: UpdateUserRequest[];

  function render(user: User | null = null): void {
    TestBed.configureTestingModule({ providers: [provideNoopAnimations()] });
    fixture = TestBed.createComponent(UserFormComponent);
    fixture.componentRef.setInput('roles', roles);
    fixture.componentRef.setInput('user', user);
    created = [];
    updated = [];
    fixture.componentInstance.created.subscribe((body) => created.push(body));
    fixture.componentInstance.updated.subscribe((body) => updated.push(body));
    fixture.detectChanges();
    el = fixture.nativeElement as HTMLElement;
  }

  function byTestId<T extends HTMLElement>(id: string): T {
    const found = el.querySelector<T>(`[data-testid="${id}"]`);
    if (!found) throw new Error(`${id} is not rendered`);
    return found;
  }

  function type(id: string, value: string): void {
    const input = byTestId<HTMLInputElement>(id);
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function submit(): void {
    byTestId<HTMLButtonElement>('user-form-submit').click();
    fixture.detectChanges();
  }

  it('says the hub’s minimum password length from the start and holds back a shorter one', () => {
    render();
    expect(el.querySelector('[data-testid="password-hint"]')).toBeNull();
    fixture.componentRef.setInput('passwordMinLength', 12);
    fixture.detectChanges();
    expect(byTestId('password-hint').textContent?.trim()).toBe('At least 12 characters.');
    type('user-form-username', 'bob');
    type('user-form-password', 'short');
    submit();
    expect(created).toEqual([]);
    expect(el.textContent).toContain('Use at least 12 characters.');
    type('user-form-password', 'long-enough-pass');
    submit();
    expect(created.map((c) => c.password)).toEqual(['long-enough-pass']);
  });

  it('creates a user with the picked roles and no email when the field is empty', () => {
    render();
    type('user-form-username', ' alice ');
    type('user-form-password', 'alice-password-2026');
    byTestId('user-form-role-viewer').querySelector('input')?.click();
    byTestId('user-form-role-alert-manager').querySelector('input')?.click();
    submit();

    expect(created).toEqual([
      {
        username: 'alice',
        email: null,
        password: 'alice-password-2026',
        roles: ['alert-manager'],
      },
    ]);
  });

  it('sends nothing while username or password is missing', () => {
    render();
    submit();
    expect(created).toEqual([]);
    expect(el.textContent).toContain('Enter a username.');
  });

  it('edits only email and roles of an existing user', () => {
    render({
      id: 'u2',
      username: 'alice',
      email: 'alice@example.com',
      roles: ['viewer'],
      auth_provider: 'local',
      provider_roles: [],
      disabled: false,
      created_at: '2026-01-15T10:00:00Z',
      last_login: null,
    });
    expect(el.querySelector('[data-testid="user-form-username"]')).toBeNull();
    expect(el.querySelector('[data-testid="user-form-password"]')).toBeNull();
    byTestId('user-form-role-alert-manager').querySelector('input')?.click();
    submit();

    expect(updated).toEqual([{ email: 'alice@example.com', roles: ['viewer', 'alert-manager'] }]);
  });

  it("shows the hub's objection under the field it is about", () => {
    render();
    type('user-form-username', 'alice');
    fixture.componentRef.setInput('error', {
      message: 'Username already exists',
      fields: { username: 'Username already exists' },
    });
    fixture.detectChanges();

    expect(byTestId('user-form').querySelector('mat-error')?.textContent).toContain(
      'Username already exists',
    );
    expect(el.querySelector('[data-testid="user-form-error"]')).toBeNull();
  });
});
