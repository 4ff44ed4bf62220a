import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  CreateUserRequestSchema,
  EmptyRequestSchema,
  ResetPasswordRequestSchema,
  UpdateUserRequestSchema,
  UserListResponseSchema,
  UserSchema,
  type CreateUserRequest,
  type EmptyRequest,
  type ResetPasswordRequest,
  type UpdateUserRequest,
  type User,
  type UserListResponse,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ValidParam } from '../common/validation';
import { UserAdminService } from './user-admin.service';

@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @ApiDoc({ summary: 'List users', response: UserListResponseSchema })
  @Auth('users:view')
  list(): Promise<UserListResponse> {
    return this.users.list();
  }

  @Get(':id')
  @ApiDoc({ summary: 'One user', response: UserSchema })
  @Auth('users:view')
  get(@ValidParam('id') id: string): Promise<User> {
    return this.users.get(id);
  }

  @Post()
  @ApiDoc({ summary: 'Create a user', response: UserSchema })
  @Auth('users:manage')
  @AuditAction('user.create')
  async create(
    @CurrentPrincipal() p: Principal,
    @ValidBody(CreateUserRequestSchema) body: CreateUserRequest,
    @Audit() note: AuditNote,
  ): Promise<User> {
    note.details = { username: body.username, roles: body.roles };
    const user = await this.users.create(p, body);
    note.target = user.id;
    return user;
  }

  @Put(':id')
  @ApiDoc({ summary: "Change a user's email, roles or disabled flag", response: UserSchema })
  @Auth('users:manage')
  @AuditAction('user.update')
  update(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @ValidBody(UpdateUserRequestSchema) body: UpdateUserRequest,
    @Audit() note: AuditNote,
  ): Promise<User> {
    note.details = { ...body };
    return this.users.update(p, id, body);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Disable a user and end their sessions' })
  @Auth('users:manage')
  @AuditAction('user.disable')
  @HttpCode(204)
  disable(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
  ): Promise<void> {
    return this.users.disable(p, id);
  }

  @Put(':id/password')
  @ApiDoc({ summary: "Reset a user's password" })
  @Auth('users:manage')
  @AuditAction('user.password.reset')
  @HttpCode(204)
  resetPassword(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @ValidBody(ResetPasswordRequestSchema) body: ResetPasswordRequest,
  ): Promise<void> {
    return this.users.resetPassword(p, id, body.new_password);
  }
}
