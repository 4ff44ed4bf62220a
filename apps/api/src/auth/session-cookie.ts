import { SESSION_COOKIE } from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import type { TytoConfig } from '../common/config';

const options = (config: TytoConfig) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: config.cookieSecure,
  path: '/',
});

/** The one session cookie, for password and OIDC sign-ins alike. */
export function setSessionCookie(
  res: FastifyReply,
  config: TytoConfig,
  token: string,
  expiresAt: string,
): void {
  void res.setCookie(SESSION_COOKIE, token, { ...options(config), expires: new Date(expiresAt) });
}

export function clearSessionCookie(res: FastifyReply, config: TytoConfig): void {
  void res.clearCookie(SESSION_COOKIE, options(config));
}
