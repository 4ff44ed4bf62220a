import type { ErrorCode } from '@tyto/contracts';

/**
 * A domain error that carries its HTTP status and a stable code. Services throw these; the one
 * global filter turns them into `{error, code, details}`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(400, 'BAD_REQUEST', message, details);
export const unauthenticated = (message = 'Authentication required') =>
  new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (
  message = 'Insufficient permissions',
  details: Record<string, unknown> = {},
) => new AppError(403, 'FORBIDDEN', message, details);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(409, 'CONFLICT', message, details);
/** A dependency of the hub (the database) does not answer: 503, for readiness probes. */
export const notReady = (details: Record<string, unknown>) =>
  new AppError(503, 'NOT_READY', 'Not ready', details);
