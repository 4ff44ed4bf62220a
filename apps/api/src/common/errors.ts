import { ERROR_STATUS, type ErrorCode } from '@tyto/contracts';

/**
 * A domain error with a stable code; its HTTP status is the code's, from the one table in
 * libs/contracts (`ERROR_STATUS`), never chosen where it is thrown. Services throw these; the
 * one global filter turns them into `{error, code, details}`.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const badRequest = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('BAD_REQUEST', message, details);
export const unauthenticated = (message = 'Authentication required') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (
  message = 'Insufficient permissions',
  details: Record<string, unknown> = {},
) => new AppError('FORBIDDEN', message, details);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('CONFLICT', message, details);
/** A dependency of the hub (the database) does not answer: 503, for readiness probes. */
export const notReady = (details: Record<string, unknown>) =>
  new AppError('NOT_READY', 'Not ready', details);
