import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The signed-in user behind a request, resolved by AuthService (from its session cache) on every request. */
export interface Principal {
  userId: string;
  username: string;
  email: string | null;
  roles: string[];
  /** Union of the permission grants of the user's roles. */
  grants: string[];
  authProvider: 'local' | 'ldap' | 'oidc';
  lastLogin: string | null;
  /** The session's id; for an API token `token:<id>`, which names no session. */
  sessionId: string;
  /** When the session (or API token) ends at the latest (ISO 8601 UTC). */
  expiresAt: string;
  /** Set when the request came with an API token rather than a session. */
  tokenId?: string;
}

export type AuthedRequest = FastifyRequest & { principal?: Principal };

/** `@CurrentPrincipal()`: the principal the guard attached (routes with access other than public). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without a session');
    return principal;
  },
);

/** The client address as Fastify resolved it (honours TYTO_TRUST_PROXY). */
export const clientAddress = (req: FastifyRequest): string | null =>
  req.ip || req.socket.remoteAddress || null;
