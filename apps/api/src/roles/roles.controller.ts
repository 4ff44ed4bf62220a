import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  CreateRoleRequestSchema,
  DeleteRoleQuerySchema,
  EmptyRequestSchema,
  RoleListResponseSchema,
  RoleSchema,
  UpdateRoleRequestSchema,
  type CreateRoleRequest,
  type DeleteRoleQuery,
  type EmptyRequest,
  type Role,
  type RoleListResponse,
  type UpdateRoleRequest,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ValidParam, ValidQuery } from '../common/validation';
import { RoleAdminService } from './role-admin.service';

@Controller('api/v1/roles')
export class RolesController {
  constructor(private readonly roles: RoleAdminService) {}

  /** Whoever may see users may see what their roles mean. */
  @Get()
  @ApiDoc({ summary: 'List roles', response: RoleListResponseSchema })
  @Auth('users:view')
  list(): Promise<RoleListResponse> {
    return this.roles.list();
  }

  @Post()
  @ApiDoc({ summary: 'Create a custom role', response: RoleSchema })
  @Auth('roles:manage')
  @AuditAction('role.create')
  async create(
    @CurrentPrincipal() p: Principal,
    @ValidBody(CreateRoleRequestSchema) body: CreateRoleRequest,
    @Audit() note: AuditNote,
  ): Promise<Role> {
    note.details = { name: body.name, permissions: body.permissions };
    const role = await this.roles.create(p, body);
    note.target = role.id;
    return role;
  }

  @Put(':id')
  @ApiDoc({ summary: 'Change a custom role', response: RoleSchema })
  @Auth('roles:manage')
  @AuditAction('role.update')
  update(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @ValidBody(UpdateRoleRequestSchema) body: UpdateRoleRequest,
    @Audit() note: AuditNote,
  ): Promise<Role> {
    note.details = { ...body };
    return this.roles.update(p, id, body);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Delete a custom role' })
  @Auth('roles:manage')
  @AuditAction('role.delete')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() p: Principal,
    @ValidParam('id') id: string,
    @ValidQuery(DeleteRoleQuerySchema) query: DeleteRoleQuery,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
    @Audit() note: AuditNote,
  ): Promise<void> {
    if (query.reassign_to) note.details = { reassign_to: query.reassign_to };
    return this.roles.delete(p, id, query.reassign_to ?? null);
  }
}
