import * as z from 'zod';

/**
 * Error codes the client may branch on, each with the one HTTP status it is sent with. Every
 * HTTP error body is `{ error, code, details }`; the hub takes the status from this table
 * (`AppError(code, …)` takes no status), so a code can never leave with two statuses.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  WEAK_PASSWORD: 400,
  INVALID_CURRENT_PASSWORD: 400,
  UNKNOWN_ROLE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  CSRF_CHECK_FAILED: 403,
  REGISTRATION_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  LAST_ADMIN: 409,
  EXTERNAL_ACCOUNT: 409,
  ROLE_NAME_TAKEN: 409,
  ROLE_IN_USE: 409,
  SYSTEM_ROLE_IMMUTABLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  RATE_LIMIT_UNAVAILABLE: 503,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  PASSWORD_MANAGED_EXTERNALLY: 400,
  UNKNOWN_PROVIDER: 400,
  OIDC_LOGIN_FAILED: 401,
  NO_ROLE: 403,
  GROUPS_UNAVAILABLE: 403,
  ACCOUNT_DISABLED: 403,
  DIRECTORY_UNAVAILABLE: 503,
  PROVIDER_UNAVAILABLE: 503,
  PROCESS_NOT_FOUND: 404,
  PROCESS_CHANGED: 409,
  PROCESS_PROTECTED: 400,
  SIGNAL_NOT_PERMITTED: 403,
  AGENT_OFFLINE: 503,
  CERTIFICATE_REVOKED: 403,
  INVALID_CSR: 400,
  ENROLLMENT_TOKEN_INVALID: 401,
  ENROLLMENT_REJECTED: 403,
  ENROLLMENT_NOT_FOUND: 404,
  AGENT_ID_TAKEN: 409,
  ENROLLMENT_DECIDED: 409,
  LOCAL_AGENT_IMMUTABLE: 409,
  ENROLLMENT_QUEUE_FULL: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

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
