import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  LoginRequestSchema,
  SESSION_COOKIE,
  type LoginRequest,
  type LoginResponse,
  type MeResponse,
} from '@tyto/contracts';
import type { Request, Response } from 'express';
import { Inject } from '@nestjs/common';
import { Auth } from '../common/access.decorator';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { clientAddress, CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody } from '../common/validation';
import { AuthService } from './auth.service';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
  ) {}

  @Post('login')
  @Auth('public')
  @HttpCode(200)
  async login(
    @ValidBody(LoginRequestSchema) body: LoginRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    const result = await this.auth.login(body.username, body.password, {
      ip: clientAddress(req),
      userAgent: req.headers['user-agent'] ?? null,
    });
    res.cookie(SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure,
      path: '/',
      expires: new Date(result.expires_at),
    });
    return result;
  }

  @Post('logout')
  @Auth('session')
  @HttpCode(204)
  async logout(
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.auth.logout(p.sessionId);
    res.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure,
      path: '/',
    });
  }

  @Get('me')
  @Auth('session')
  me(@CurrentPrincipal() p: Principal): MeResponse {
    return AuthService.me(p);
  }
}
