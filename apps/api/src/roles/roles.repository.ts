import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/db-errors';
import { serialTransaction } from '../database/serial';
import { UserEntity } from '../users/user.entity';
import { RoleEntity } from './role.entity';

export type RoleDeletion =
  { deleted: true; reassigned: number } | { deleted: false; holders: number };

@Injectable()
export class RolesRepository {
  constructor(@InjectRepository(RoleEntity) private readonly repo: Repository<RoleEntity>) {}

  findAll(): Promise<RoleEntity[]> {
    return this.repo.find({ order: { isSystem: 'DESC', name: 'ASC' } });
  }

  findById(id: string): Promise<RoleEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<RoleEntity[]> {
    return ids.length ? this.repo.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  save(role: RoleEntity): Promise<RoleEntity> {
    return this.repo.save(role);
  }

  /** Inserts a new role; false when its id is taken. */
  async create(role: RoleEntity): Promise<boolean> {
    try {
      await this.repo.insert(role);
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /**
   * Deletes a role in one transaction. Held by anyone, it is deleted only with `reassignTo`,
   * whose role every holder then gets (through the user–role relation, the one place this
   * module writes users' side of the link).
   */
  deleteReassigning(id: string, reassignTo: string | null): Promise<RoleDeletion> {
    return serialTransaction(this.repo.manager.dataSource, async (em) => {
      const holderIds = async (roleId: string) =>
        (
          await em
            .createQueryBuilder()
            .select('ur.user_id', 'userId')
            .from('user_roles', 'ur')
            .where('ur.role_id = :roleId', { roleId })
            .getRawMany<{ userId: string }>()
        ).map((r) => r.userId);
      const holders = await holderIds(id);
      if (holders.length > 0 && reassignTo === null) {
        return { deleted: false, holders: holders.length };
      }
      let reassigned = 0;
      if (reassignTo !== null && holders.length > 0) {
        const already = new Set(await holderIds(reassignTo));
        const missing = holders.filter((u) => !already.has(u));
        if (missing.length) {
          await em.createQueryBuilder().relation(UserEntity, 'roles').of(missing).add(reassignTo);
        }
        reassigned = holders.length;
      }
      await em
        .createQueryBuilder()
        .delete()
        .from('user_roles')
        .where('role_id = :id', { id })
        .execute();
      await em.delete(RoleEntity, { id });
      return { deleted: true, reassigned };
    });
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /** Number of users holding the role (disabled ones included: re-enabling would revive it). */
  async countHolders(id: string): Promise<number> {
    const row = await this.repo.manager
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from('user_roles', 'ur')
      .where('ur.role_id = :id', { id })
      .getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }
}
