import { HttpErrorResponse } from '@angular/common/http';
import { FormControl, FormGroup } from '@angular/forms';
import { applyFormError, toFormError } from './form-error';

function failure(status: number, code: string, error: string, details = {}) {
  return new HttpErrorResponse({ status, error: { error, code, details } });
}

describe('toFormError', () => {
  it("maps the hub's validation issues to the fields they name", () => {
    const err = failure(400, 'VALIDATION_FAILED', 'Request validation failed', {
      issues: [
        { path: 'email', message: 'Invalid email address' },
        { path: 'roles.0', message: 'Too small' },
      ],
    });
    expect(toFormError(err)).toEqual({
      message: 'Some fields are not valid.',
      fields: { email: 'Invalid email address', roles: 'Too small' },
    });
  });

  it('puts a field-less code at the field the form names for it', () => {
    const err = failure(409, 'USERNAME_TAKEN', 'Username already exists');
    expect(toFormError(err, { USERNAME_TAKEN: 'username' })?.fields).toEqual({
      username: 'Username already exists',
    });
  });

  it('leaves statuses the error interceptor shows to it', () => {
    expect(toFormError(failure(403, 'FORBIDDEN', 'Missing permission'))).toBeNull();
  });
});

describe('applyFormError', () => {
  it('marks matching controls and lists what no control shows', () => {
    const form = new FormGroup({ email: new FormControl('') });
    const lines = applyFormError(form, {
      message: 'Some fields are not valid.',
      fields: { email: 'Invalid email address', roles: 'Too small' },
    });
    expect(form.controls.email.getError('server')).toBe('Invalid email address');
    expect(form.controls.email.touched).toBe(true);
    expect(lines).toEqual(['Some fields are not valid.', 'roles: Too small']);
  });

  it('does not repeat a message its field already shows', () => {
    const form = new FormGroup({ password: new FormControl('') });
    const message = 'Password must be at least 12 characters';
    expect(applyFormError(form, { message, fields: { password: message } })).toEqual([]);
  });
});
