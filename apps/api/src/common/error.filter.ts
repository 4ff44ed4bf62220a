import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import { AppError } from './errors';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

/** The code a bare status maps to (BAD_REQUEST for any other 4xx). */
export const codeForStatus = (status: number): ErrorCode => CODE_BY_STATUS[status] ?? 'BAD_REQUEST';

/** Maps any error to a status and the `{error, code, details}` body. */
export function toErrorBody(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof AppError) {
    return {
      status: exception.status,
      body: { error: exception.message, code: exception.code, details: exception.details },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status < 500) {
      // Nest's own message for an unknown route is "Cannot GET /x", which is fine to show.
      return {
        status,
        body: {
          error: exception.message,
          code: codeForStatus(status),
          details: {},
        },
      };
    }
  }
  return {
    status: 500,
    body: { error: 'Internal server error', code: 'INTERNAL_ERROR', details: {} },
  };
}

/** The one global filter: every error leaves the hub as `{error, code, details}`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorBody(exception);
    // A 5xx AppError (NOT_READY) is an answer the hub chose, not a fault to log with its stack.
    if (status >= 500 && !(exception instanceof AppError)) {
      // The client gets a generic message; the stack (which may hold SQL) stays in the log.
      const req = host.switchToHttp().getRequest<{ id?: string }>();
      this.logger.error({
        msg: exception instanceof Error ? exception.message : String(exception),
        req_id: req.id,
        stack: exception instanceof Error ? exception.stack : undefined,
      });
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    const retryAfter = body.details['retry_after'];
    if ((status === 429 || status === 503) && typeof retryAfter === 'number')
      void reply.header('Retry-After', retryAfter);
    void reply.code(status).send(body);
  }
}
