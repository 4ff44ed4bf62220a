import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { hasNoControlCharacters } from '@tyto/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { Auth } from '../common/access.decorator';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import { clientAddress } from '../common/principal';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { AuthService } from './auth.service';
import { readCookie } from './request-token';
import { setSessionCookie } from './session-cookie';
import { OidcStrategy } from './strategies/oidc.strategy';

/** Ties the provider's redirect to the browser that started the sign-in. */
const BINDING_COOKIE = 'tyto_oidc';
const BINDING_PATH = '/api/v1/auth/oidc';

const plainQuery = (q: unknown): boolean =>
  typeof q === 'object' &&
  q !== null &&
  Object.values(q).every(
    (v) => typeof v === 'string' && v.length <= 4096 && hasNoControlCharacters(v),
  );

/**
 * The browser side of OIDC: both routes are navigations, not API calls, so they answer with
 * redirects: to the provider, to the dashboard once signed in, or to the login page with
 * `?sso_error=CODE` when refused.
 */
@Controller('api/v1/auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcStrategy,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
  ) {}

  @Get('login')
  @ApiDoc({ summary: 'Start an OIDC sign-in: redirects to the identity provider' })
  @Auth('public')
  async login(@Res() res: FastifyReply): Promise<void> {
    const { url, binding } = await this.oidc.begin();
    // Lax, not Strict: the provider's redirect back is a cross-site navigation.
    void res.setCookie(BINDING_COOKIE, binding, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.cookieSecure,
      path: BINDING_PATH,
      maxAge: 600,
    });
    void res.header('cache-control', 'no-store').redirect(url, 302);
  }

  @Get('callback')
  @ApiDoc({ summary: 'The identity provider returns here; signs in and redirects' })
  @Auth('public')
  async callback(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const ip = clientAddress(req);
    const appUrl = this.oidc.settings?.appUrl ?? '/';
    const q = req.url.indexOf('?');
    const search = q >= 0 ? req.url.slice(q) : '';
    void res
      .header('cache-control', 'no-store')
      .clearCookie(BINDING_COOKIE, { path: BINDING_PATH });
    try {
      // Not a contract schema: providers add parameters of their own (session_state, iss, scope),
      // so only the shape is checked here; openid-client validates the ones it reads.
      if (!plainQuery(req.query)) {
        throw new AppError('OIDC_LOGIN_FAILED', 'Single sign-on refused: malformed callback');
      }
      const user = await this.oidc.complete(
        search,
        readCookie(req.headers.cookie, BINDING_COOKIE) ?? undefined,
      );
      const session = await this.auth.openSession(user, {
        ip,
        userAgent: req.headers['user-agent'] ?? null,
      });
      await this.audit.recordSignIn({
        action: 'auth.login',
        actor: { id: user.id, username: user.username },
        ip,
        status: 200,
        details: { provider: 'oidc' },
      });
      setSessionCookie(res, this.config, session.token, session.expires_at);
      void res.redirect(appUrl, 302);
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'INTERNAL_ERROR';
      await this.audit.recordSignIn({
        action: 'auth.login',
        actor: null,
        ip,
        status: e instanceof AppError ? e.status : 500,
        details: { provider: 'oidc', code },
      });
      void res.redirect(`${appUrl}login?sso_error=${encodeURIComponent(code)}`, 302);
    }
  }
}
