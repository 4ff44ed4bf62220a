/**
 * Error codes the client may branch on. Every HTTP error body is `{ error, code, details }`;
 * the hub maps each code to its status in one place (apps/api/src/common/errors).
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'SESSION_EXPIRED',
  'FORBIDDEN',
  'CSRF_CHECK_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'RATE_LIMITED',
  'REGISTRATION_DISABLED',
  'WEAK_PASSWORD',
  'INVALID_CURRENT_PASSWORD',
  'USERNAME_TAKEN',
  'UNKNOWN_ROLE',
  'LAST_ADMIN',
  'EXTERNAL_ACCOUNT',
  'ROLE_NAME_TAKEN',
  'ROLE_IN_USE',
  'SYSTEM_ROLE_IMMUTABLE',
  'INTERNAL_ERROR',
  'NOT_READY',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error body shape of the REST API. */
export interface ErrorBody {
  /** Human-readable message. */
  error: string;
  /** Stable machine-readable code. */
  code: ErrorCode | string;
  /** Extra structured information (validation issues, retry delay, …); `{}` when none. */
  details: Record<string, unknown>;
}
