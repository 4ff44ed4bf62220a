import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CSRF_HEADER, hasPermission } from '@tyto/contracts';
import { ACCESS_KEY, type Access } from '../common/access.decorator';
import { AppError, forbidden, unauthenticated } from '../common/errors';
import type { AuthedRequest } from '../common/principal';
import { AuthService } from './auth.service';
import { requestToken } from './request-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one global guard. Every route declares its access with `@Auth(...)`; a route without it
 * is refused (fail closed). Tokens come from `Authorization: Bearer` or the HttpOnly session
 * cookie; a cookie-authenticated write must also carry the CSRF header. The principal is set on
 * the request before any refusal, so the audit hook records refused writes under their actor.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (!access) {
      this.logger.error(`${req.method} ${req.url.split('?')[0]} declares no access rule; refused`);
      throw forbidden('Route declares no permission');
    }
    if (access === 'public') return true;

    const found = requestToken(req);
    if (!found) throw unauthenticated();
    const principal = await this.auth.authenticate(found.token);
    if (!principal) throw new AppError('SESSION_EXPIRED', 'Session is invalid or has expired');
    req.principal = principal;
    if (found.cookie && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] === undefined) {
      throw new AppError(
        'CSRF_CHECK_FAILED',
        `Cookie-authenticated writes need the ${CSRF_HEADER} header`,
      );
    }
    if (access === 'session' || hasPermission(principal.grants, access)) return true;
    throw forbidden('Insufficient permissions', { required: access });
  }
}
