import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  CreateApiTokenRequestSchema,
  type ApiTokenListResponse,
  type CreateApiTokenRequest,
  type CreateApiTokenResponse,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody } from '../common/validation';
import { TokensService } from './tokens.service';

/** The caller's own API tokens. */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @Auth('session')
  @AuditAction('token.create')
  async create(
    @CurrentPrincipal() p: Principal,
    @ValidBody(CreateApiTokenRequestSchema) body: CreateApiTokenRequest,
    @Audit() note: AuditNote,
  ): Promise<CreateApiTokenResponse> {
    note.details = { name: body.name, permissions: body.permissions };
    const token = await this.tokens.create(p, body);
    note.target = token.id;
    return token;
  }

  @Get()
  @Auth('session')
  list(@CurrentPrincipal() p: Principal): Promise<ApiTokenListResponse> {
    return this.tokens.list(p);
  }

  @Delete(':id')
  @Auth('session')
  @AuditAction('token.revoke')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.tokens.revoke(p, id);
  }
}

/** Every user's API tokens, for holders of `tokens:manage`. */
@Controller('api/v1/admin/tokens')
export class TokensAdminController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @Auth('tokens:manage')
  list(@CurrentPrincipal() p: Principal): Promise<ApiTokenListResponse> {
    return this.tokens.list(p, true);
  }

  @Delete(':id')
  @Auth('tokens:manage')
  @AuditAction('token.revoke')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Audit() note: AuditNote,
  ): Promise<void> {
    const token = await this.tokens.revoke(p, id, true);
    note.details = { owner: token.username };
  }
}
