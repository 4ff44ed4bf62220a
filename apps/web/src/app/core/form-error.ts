import { HttpErrorResponse } from '@angular/common/http';
import type { AbstractControl, FormGroup } from '@angular/forms';
import type { ErrorCode } from '@tyto/contracts';
import { errorBodyOf, errorMessage } from './http';

// A refused form submission as a form shows it: one message, plus messages for the fields the
// hub named, keyed by the request body's field names.
export interface FormError {
  message: string;
  fields: Readonly<Record<string, string>>;
}

// The field each (typed) error code is about, e.g. `{ WEAK_PASSWORD: 'password' }`.
export type CodeFields = Readonly<Partial<Record<ErrorCode, string>>>;

// Statuses a form reports inline instead of through the error interceptor's snackbar: 400 is
// validation or policy (weak password), 409 a clash (username taken, role in use).
export const FORM_STATUSES = [400, 409] as const;

// Null for the statuses the error interceptor has already shown. `codeFields` names the field a
// field-less error code is about, e.g. `WEAK_PASSWORD` → `password`, so the message appears
// under that input rather than above the buttons.
export function toFormError(err: unknown, codeFields: CodeFields = {}): FormError | null {
  if (!(err instanceof HttpErrorResponse)) {
    return { message: 'The request failed unexpectedly.', fields: {} };
  }
  if (!(FORM_STATUSES as readonly number[]).includes(err.status)) return null;
  const body = errorBodyOf(err);
  if (body?.code === 'VALIDATION_FAILED') {
    const fields: Record<string, string> = {};
    for (const issue of validationIssues(body.details)) {
      // `roles.0` is about the roles field as a whole.
      const field = issue.path.split('.')[0] || 'form';
      fields[field] ??= issue.message;
    }
    return { message: 'Some fields are not valid.', fields };
  }
  const field = body ? codeFields[body.code as ErrorCode] : undefined;
  return { message: errorMessage(err), fields: field ? { [field]: errorMessage(err) } : {} };
}

function validationIssues(details: Record<string, unknown>): { path: string; message: string }[] {
  const issues = details['issues'];
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((issue: unknown) => {
    if (typeof issue !== 'object' || issue === null) return [];
    const { path, message } = issue as { path?: unknown; message?: unknown };
    return typeof message === 'string'
      ? [{ path: typeof path === 'string' ? path : '', message }]
      : [];
  });
}

// Puts the hub's field messages on the matching controls (as the `server` error, which the
// templates show in <mat-error>) and returns the lines the form shows above its buttons: the
// message and any field message no control displays.
export function applyFormError(form: FormGroup, error: FormError | null): string[] {
  if (!error) return [];
  const lines: string[] = [];
  let messageShown = false;
  for (const [field, message] of Object.entries(error.fields)) {
    const control: AbstractControl | null = form.get(field);
    if (control) {
      control.setErrors({ ...control.errors, server: message });
      control.markAsTouched();
      messageShown ||= message === error.message;
    } else {
      lines.push(`${field}: ${message}`);
    }
  }
  return messageShown ? lines : [error.message, ...lines];
}
