import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { toErrorBody } from '../common/error.filter';
import { AuditService, isWrite } from './audit.service';

/**
 * Records every write that gets past the guard, whatever its outcome: validation failures and
 * domain errors as failures with their status and code, everything else as a success. (The
 * guard records the writes it refuses to a signed-in user.)
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      ctx.getType() !== 'http' ||
      !isWrite(ctx.switchToHttp().getRequest<FastifyRequest>().method)
    ) {
      return next.handle();
    }
    const res = ctx.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap(async (value: unknown) => {
        await this.audit.recordRequest(ctx, res.statusCode, null);
        return value;
      }),
      catchError((err: unknown) => {
        const { status, body } = toErrorBody(err);
        return from(this.audit.recordRequest(ctx, status, body.code)).pipe(
          mergeMap(() => throwError(() => err)),
        );
      }),
    );
  }
}
