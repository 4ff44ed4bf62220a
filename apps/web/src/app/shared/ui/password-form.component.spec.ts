import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { PasswordChange } from './password-form.component';
import { PasswordFormComponent } from './password-form.component';

describe(PasswordFormComponent.name, () => {
  let fixture: ComponentFixture<PasswordFormComponent>;
  let el: HTMLElement;
  let submitted: PasswordChange[];

  function render(minLength: number | null): void {
    TestBed.configureTestingModule({ providers: [provideNoopAnimations()] });
    fixture = TestBed.createComponent(PasswordFormComponent);
    fixture.componentRef.setInput('minLength', minLength);
    submitted = [];
    fixture.componentInstance.submitted.subscribe((body) => submitted.push(body));
    fixture.detectChanges();
    el = fixture.nativeElement as HTMLElement;
  }

  function type(id: string, value: string): void {
    const input = el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`);
    if (!input) throw new Error(`${id} is not rendered`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function submit(): void {
    el.querySelector<HTMLButtonElement>('[data-testid="password-submit"]')?.click();
    fixture.detectChanges();
  }

  it('shows the minimum length under the new password before anything is typed', () => {
    render(14);
    expect(el.querySelector('[data-testid="password-hint"]')?.textContent?.trim()).toBe(
      'At least 14 characters.',
    );
  });

  it('holds back a password shorter than the minimum and sends a long enough one', () => {
    render(14);
    type('password-new', 'too-short');
    type('password-confirm', 'too-short');
    submit();
    expect(submitted).toEqual([]);
    expect(el.textContent).toContain('Use at least 14 characters.');
    type('password-new', 'fourteen-chars');
    type('password-confirm', 'fourteen-chars');
    submit();
    expect(submitted).toEqual([{ current_password: '', new_password: 'fourteen-chars' }]);
  });

  it('shows no hint and leaves the length to the hub when the minimum is not known', () => {
    render(null);
    expect(el.querySelector('[data-testid="password-hint"]')).toBeNull();
    type('password-new', 'x');
    type('password-confirm', 'x');
    submit();
    expect(submitted).toHaveLength(1);
  });
});
