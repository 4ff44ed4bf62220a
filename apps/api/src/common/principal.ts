import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The signed-in user behind a request, resolved fresh from the database on every request. */
export interface Principal {
  userId: string;
  username: string;
  email: string | null;
  roles: string[];
  /** Union of the permission grants of the user's roles. */
  grants: string[];
  authProvider: 'local' | 'ldap' | 'oidc';
  lastLogin: string | null;
  sessionId: string;
}

export type AuthedRequest = Request & { principal?: Principal };

/** `@CurrentPrincipal()`: the principal the guard attached (routes with access other than public). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without a session');
    return principal;
  },
);

/** The client address as express resolved it (honours TYTO_TRUST_PROXY). */
export const clientAddress = (req: Request): string | null =>
  req.ip ?? req.socket.remoteAddress ?? null;
