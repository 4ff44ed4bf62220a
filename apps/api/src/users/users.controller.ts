import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  CreateUserRequestSchema,
  EmptyRequestSchema,
  ResetPasswordRequestSchema,
  UpdateUserRequestSchema,
  type CreateUserRequest,
  type EmptyRequest,
  type ResetPasswordRequest,
  type UpdateUserRequest,
  type User,
  type UserListResponse,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ValidParam } from '../common/validation';
import { UserAdminService } from './user-admin.service';

@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @Auth('users:view')
  list(): Promise<UserListResponse> {
    return this.users.list();
  }

  @Get(':id')
  @Auth('users:view')
  get(@ValidParam('id') id: string): Promise<User> {
    return this.users.get(id);
  }

  @Post()
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
