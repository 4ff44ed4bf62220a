import * as z from 'zod';

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
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error body shape of the REST API. */
export const ErrorBodySchema = z
  .object({
    /** Human-readable message. */
    error: z.string().meta({ description: 'Human-readable message.' }),
    /** Stable machine-readable code (one of ERROR_CODES). */
    code: z.string().meta({
      description: `Stable machine-readable code: ${ERROR_CODES.join(', ')}.`,
      examples: ['VALIDATION_FAILED'],
    }),
    /** Extra structured information (validation issues, retry delay, …); `{}` when none. */
    details: z.record(z.string(), z.unknown()).meta({
      description:
        'Extra structured information (validation issues, retry delay, …); `{}` when none.',
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = Omit<z.infer<typeof ErrorBodySchema>, 'code'> & {
  /** Stable machine-readable code. */
  code: ErrorCode | string;
};
