import { Controller, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import {
  AuthProvidersResponseSchema,
  LogoutResponseSchema,
  type AuthProvidersResponse,
  type LogoutResponse,
  ChangePasswordRequestSchema,
  EmptyRequestSchema,
  LocalLoginRequestSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeResponseSchema,
  RegisterRequestSchema,
  UpdateMeRequestSchema,
  UserSchema,
  type ChangePasswordRequest,
  type EmptyRequest,
  type LoginRequest,
  type LoginResponse,
  type MeResponse,
  type RegisterRequest,
  type UpdateMeRequest,
  type User,
} from '@tyto/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { clientAddress, CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ZodPipe } from '../common/validation';
import { AccountService } from './account.service';
import { AuthProvidersService } from './auth-providers.service';
import { AuthService, type ClientMeta } from './auth.service';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import { OidcStrategy } from './strategies/oidc.strategy';

const clientMeta = (req: FastifyRequest): ClientMeta => ({
  ip: clientAddress(req),
  userAgent: req.headers['user-agent'] ?? null,
});

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly account: AccountService,
    private readonly providersService: AuthProvidersService,
    private readonly oidc: OidcStrategy,
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
  ) {}

  @Post('login')
  @ApiDoc({
    summary: 'Sign in: a bearer token and the session cookie',
    response: LoginResponseSchema,
  })
  @Auth('public')
  @AuditAction('auth.login', { actorFromBody: 'username' })
  @HttpCode(200)
  async login(
    @ValidBody(LoginRequestSchema) body: LoginRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
    @Audit() note: AuditNote,
  ): Promise<LoginResponse> {
    // A failed login is recorded under the name that was tried.
    note.actor = { id: null, username: body.username };
    note.details = { provider: body.provider ?? this.config.authDefaultProvider };
    // Local accounts only: a missing or empty password is a missing field (400), like any other.
    // The directory takes it as a wrong password (401, refused before any bind).
    if (!this.auth.asksDirectory(body.provider)) {
      new ZodPipe(LocalLoginRequestSchema).transform(body);
    }
    const result = await this.auth.login(
      body.username,
      body.password,
      clientMeta(req),
      body.provider,
    );
    note.actor = { id: result.user.id, username: result.user.username };
    setSessionCookie(res, this.config, result.token, result.expires_at);
    return result;
  }

  /**
   * Ends this session. For an OIDC user whose provider has an end-session endpoint the answer
   * is 200 with `logout_url`, where the browser goes next to end the provider's session too.
   */
  @Post('logout')
  @ApiDoc({ summary: 'Sign out: ends this session', response: LogoutResponseSchema })
  @Auth('session')
  @AuditAction('auth.logout')
  @HttpCode(204)
  async logout(
    @CurrentPrincipal() p: Principal,
    @Res() res: FastifyReply,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
  ): Promise<void> {
    await this.auth.logout(p.sessionId, p.userId);
    clearSessionCookie(res, this.config);
    const logoutUrl = p.authProvider === 'oidc' ? this.oidc.logoutUrl() : null;
    // Sent by hand: the status depends on the user, and @HttpCode would override a passthrough.
    if (logoutUrl === null) void res.status(204).send();
    else void res.status(200).send({ logout_url: logoutUrl } satisfies LogoutResponse);
  }

  @Get('providers')
  @ApiDoc({
    summary: 'The ways to sign in, for the login page',
    response: AuthProvidersResponseSchema,
  })
  @Auth('public')
  providers(): AuthProvidersResponse {
    return this.providersService.list();
  }

  /** Self-registration as a viewer, only when TYTO_ALLOW_REGISTRATION is on. */
  @Post('register')
  @ApiDoc({ summary: 'Register as a viewer (when registration is on)', response: UserSchema })
  @Auth('public')
  @AuditAction('auth.register', { actorFromBody: 'username' })
  async register(
    @ValidBody(RegisterRequestSchema) body: RegisterRequest,
    @Req() req: FastifyRequest,
    @Audit() note: AuditNote,
  ): Promise<User> {
    note.actor = { id: null, username: body.username };
    const user = await this.account.register(body, clientMeta(req));
    note.actor = { id: user.id, username: user.username };
    note.target = user.id;
    return user;
  }

  @Get('me')
  @ApiDoc({ summary: 'The signed-in user', response: MeResponseSchema })
  @Auth('session')
  me(@CurrentPrincipal() p: Principal): MeResponse {
    return AuthService.me(p);
  }

  @Put('me')
  @ApiDoc({ summary: "Change one's own account", response: MeResponseSchema })
  @Auth('session')
  @AuditAction('account.update')
  updateMe(
    @CurrentPrincipal() p: Principal,
    @ValidBody(UpdateMeRequestSchema) body: UpdateMeRequest,
    @Audit() note: AuditNote,
  ): Promise<MeResponse> {
    note.target = p.userId;
    note.details = { ...body };
    return this.account.updateMe(p, body);
  }

  /** Changes one's own password; every other session of the user ends, this one stays. */
  @Put('me/password')
  @ApiDoc({ summary: "Change one's own password" })
  @Auth('session')
  @AuditAction('account.password.change')
  @HttpCode(204)
  changePassword(
    @CurrentPrincipal() p: Principal,
    @ValidBody(ChangePasswordRequestSchema) body: ChangePasswordRequest,
    @Req() req: FastifyRequest,
    @Audit() note: AuditNote,
  ): Promise<void> {
    note.target = p.userId;
    return this.account.changePassword(
      p,
      body.current_password,
      body.new_password,
      clientMeta(req),
    );
  }
}
