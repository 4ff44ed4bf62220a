import { Injectable } from '@nestjs/common';
import { HubBus } from '../common/bus';
import {
  uncoveredGrants,
  type CreateRoleRequest,
  type Role,
  type RoleListResponse,
  type UpdateRoleRequest,
} from '@tyto/contracts';
import { randomBytes } from 'node:crypto';
import { AppError, badRequest, forbidden, notFound } from '../common/errors';
import type { Principal } from '../common/principal';
import { RoleEntity } from './role.entity';
import { ROLE_CHANGED, type RoleChangedEvent } from './roles.events';
import { RolesRepository } from './roles.repository';

export function toRole(r: RoleEntity): Role {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: [...r.permissions],
    is_system: r.isSystem,
  };
}

/** `Alert Manager` → `alert-manager`; a name with no latin letters or digits gets a random id. */
export function roleIdFor(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 56)
    .replace(/^-+|-+$/g, '');
  return slug || `role-${randomBytes(4).toString('hex')}`;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Custom role administration (roles:manage). System roles are fixed: they are re-seeded from
 * the catalogue on every start, so an edit would not survive anyway. Nobody grants, edits or
 * deletes a role holding permissions they do not hold themselves.
 */
@Injectable()
export class RoleAdminService {
  constructor(
    private readonly roles: RolesRepository,
    private readonly bus: HubBus,
  ) {}

  async list(): Promise<RoleListResponse> {
    return { roles: (await this.roles.findAll()).map(toRole) };
  }

  async create(actor: Principal, body: CreateRoleRequest): Promise<Role> {
    assertCovers(actor, body.permissions);
    await this.assertNameFree(body.name, null);
    const base = roleIdFor(body.name);
    const now = new Date().toISOString();
    // A slug may clash with another role's id (renamed roles keep theirs): number it.
    for (let n = 1; n <= 20; n++) {
      const role = Object.assign(new RoleEntity(), {
        id: n === 1 ? base : `${base}-${n}`,
        name: body.name,
        description: body.description,
        permissions: dedupe(body.permissions),
        isSystem: false,
        createdAt: now,
        updatedAt: now,
      });
      if (await this.roles.create(role)) return toRole(role);
    }
    throw new AppError('ROLE_NAME_TAKEN', `No free id for a role named '${body.name}'`);
  }

  async update(actor: Principal, id: string, body: UpdateRoleRequest): Promise<Role> {
    const role = await this.load(id);
    if (role.isSystem) {
      const changes =
        (body.name !== undefined && body.name !== role.name) ||
        (body.description !== undefined && body.description !== role.description) ||
        (body.permissions !== undefined && !sameSet(body.permissions, role.permissions));
      if (changes) throw systemRole(role);
      return toRole(role);
    }
    assertCovers(actor, role.permissions);
    if (body.permissions !== undefined) {
      assertCovers(actor, body.permissions);
      role.permissions = dedupe(body.permissions);
    }
    if (body.name !== undefined && body.name !== role.name) {
      await this.assertNameFree(body.name, role.id);
      role.name = body.name;
    }
    if (body.description !== undefined) role.description = body.description;
    role.updatedAt = new Date().toISOString();
    await this.roles.save(role);
    this.bus.publish(ROLE_CHANGED, { roleId: role.id } satisfies RoleChangedEvent);
    return toRole(role);
  }

  /** Deletes a custom role; one still held needs `reassignTo`, which its holders receive. */
  async delete(actor: Principal, id: string, reassignTo: string | null): Promise<void> {
    const role = await this.load(id);
    if (role.isSystem) throw systemRole(role);
    assertCovers(actor, role.permissions);
    if (reassignTo !== null) {
      if (reassignTo === id) throw badRequest('A role cannot be reassigned to itself');
      const target = await this.roles.findById(reassignTo);
      if (!target) {
        throw new AppError('UNKNOWN_ROLE', `Unknown role: ${reassignTo}`, {
          roles: [reassignTo],
        });
      }
      assertCovers(actor, target.permissions);
    }
    const result = await this.roles.deleteReassigning(id, reassignTo);
    if (!result.deleted) {
      throw new AppError(
        'ROLE_IN_USE',
        `Role '${role.name}' is held by ${result.holders} user(s); pass reassign_to to move them`,
        { users: result.holders },
      );
    }
    this.bus.publish(ROLE_CHANGED, { roleId: id } satisfies RoleChangedEvent);
  }

  private async load(id: string): Promise<RoleEntity> {
    const role = await this.roles.findById(id);
    if (!role) throw notFound('Role');
    return role;
  }

  private async assertNameFree(name: string, exceptId: string | null): Promise<void> {
    const key = name.toLowerCase();
    const clash = (await this.roles.findAll()).find(
      (r) => r.id !== exceptId && r.name.toLowerCase() === key,
    );
    if (clash) {
      throw new AppError('ROLE_NAME_TAKEN', `A role named '${clash.name}' already exists`, {
        id: clash.id,
      });
    }
  }
}

const dedupe = (grants: readonly string[]) => [...new Set(grants)];

const systemRole = (role: RoleEntity) =>
  new AppError('SYSTEM_ROLE_IMMUTABLE', `System role '${role.id}' cannot be changed or deleted`);

function assertCovers(actor: Principal, grants: readonly string[]): void {
  const missing = uncoveredGrants(actor.grants, grants);
  if (missing.length) {
    throw forbidden('Cannot grant or change permissions you do not hold', { missing });
  }
}
