import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiTokenListResponseSchema,
  CreateApiTokenRequestSchema,
  CreateApiTokenResponseSchema,
  type ApiTokenListResponse,
  type CreateApiTokenRequest,
  type CreateApiTokenResponse,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ValidParam } from '../common/validation';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { TokensService } from './tokens.service';

/** The caller's own API tokens. */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiDoc({ summary: 'Create an API token (shown once)', response: CreateApiTokenResponseSchema })
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
  @ApiDoc({ summary: 'List your API tokens', response: ApiTokenListResponseSchema })
  @Auth('session')
  list(@CurrentPrincipal() p: Principal): Promise<ApiTokenListResponse> {
    return this.tokens.list(p);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Revoke one of your API tokens' })
  @Auth('session')
  @AuditAction('token.revoke')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() p: Principal, @ValidParam('id') id: string): Promise<void> {
    await this.tokens.revoke(p, id);
  }
}

/** Every user's API tokens, for holders of `tokens:manage`. */
@Controller('api/v1/admin/tokens')
export class TokensAdminController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @ApiDoc({ summary: "List every user's API tokens", response: ApiTokenListResponseSchema })
  @Auth('tokens:manage')
  list(@CurrentPrincipal() p: Principal): Promise<ApiTokenListResponse> {
    return this.tokens.list(p, true);
  }

  @Delete(':id')
  @ApiDoc({ summary: "Revoke anyone's API token" })
  @Auth('tokens:manage')
  @AuditAction('token.revoke')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @Audit() note: AuditNote,
  ): Promise<void> {
    const token = await this.tokens.revoke(p, id, true);
    note.details = { owner: token.username };
  }
}
