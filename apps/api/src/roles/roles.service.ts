import { Injectable } from '@nestjs/common';
import { SYSTEM_ROLE_DEFINITIONS, SYSTEM_ROLES } from '@tyto/contracts';
import { RoleEntity } from './role.entity';
import { RolesRepository } from './roles.repository';

@Injectable()
export class RolesService {
  constructor(private readonly roles: RolesRepository) {}

  /**
   * Creates the system roles, and brings their permissions up to the current catalogue on every
   * start so a feature that adds a permission reaches existing installations.
   */
  async seedSystemRoles(): Promise<void> {
    const now = new Date().toISOString();
    for (const id of SYSTEM_ROLES) {
      const def = SYSTEM_ROLE_DEFINITIONS[id];
      const existing = await this.roles.findById(id);
      const role = existing ?? Object.assign(new RoleEntity(), { id, createdAt: now });
      Object.assign(role, {
        name: def.name,
        description: def.description,
        permissions: [...def.permissions],
        isSystem: true,
        updatedAt:
          existing && sameGrants(existing.permissions, def.permissions) ? existing.updatedAt : now,
      });
      await this.roles.save(role);
    }
  }

  /** Union of the grants of the given roles. */
  static grantsOf(roles: readonly RoleEntity[]): string[] {
    return [...new Set(roles.flatMap((r) => r.permissions))].sort();
  }
}

function sameGrants(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
