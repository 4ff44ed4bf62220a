import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../database/db-errors';
import { serialTransaction } from '../database/serial';
import { UserEntity, type AuthProvider } from './user.entity';

/** Thrown inside the transaction to roll it back. */
class LeavesNoAdmin extends Error {}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  count(): Promise<number> {
    return this.repo.count();
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id }, relations: { roles: true } });
  }

  /** Usernames are unique per provider; without one, the local account of that name. */
  findByUsername(username: string, provider: AuthProvider = 'local'): Promise<UserEntity | null> {
    return this.repo.findOne({
      where: { usernameKey: username.toLowerCase(), authProvider: provider },
      relations: { roles: true },
    });
  }

  findByExternalId(provider: AuthProvider, externalId: string): Promise<UserEntity | null> {
    return this.repo.findOne({
      where: { authProvider: provider, externalId },
      relations: { roles: true },
    });
  }

  findAll(): Promise<UserEntity[]> {
    return this.repo.find({ relations: { roles: true }, order: { usernameKey: 'ASC' } });
  }

  save(user: UserEntity): Promise<UserEntity> {
    return this.repo.save(user);
  }

  /** Inserts a new user with its roles; false when the username (in any case) is taken. */
  async create(user: UserEntity): Promise<boolean> {
    try {
      await this.repo.save(user);
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /**
   * Saves the user unless that leaves no enabled holder of `adminRoleId`; then nothing is saved
   * and the answer is false. Check and write happen in one transaction.
   */
  async saveKeepingAdmin(user: UserEntity, adminRoleId: string): Promise<boolean> {
    try {
      return await serialTransaction(this.repo.manager.dataSource, async (em) => {
        if (em.dataSource.options.type === 'postgres') {
          // Demotions on other replicas wait here instead of each seeing one admin left.
          await em.query(`SELECT user_id FROM user_roles WHERE role_id = $1 FOR UPDATE`, [
            adminRoleId,
          ]);
        }
        await em.save(UserEntity, user);
        const left = await em
          .getRepository(UserEntity)
          .createQueryBuilder('u')
          .innerJoin('u.roles', 'r', 'r.id = :roleId', { roleId: adminRoleId })
          .where('u.disabled = :disabled', { disabled: false })
          .getCount();
        if (left === 0) throw new LeavesNoAdmin();
        return true;
      });
    } catch (e) {
      if (e instanceof LeavesNoAdmin) return false;
      throw e;
    }
  }

  async setLastLogin(id: string, at: string): Promise<void> {
    await this.repo.update({ id }, { lastLogin: at });
  }

  /** Enabled users holding the role, used to protect the last admin. */
  countEnabledWithRole(roleId: string): Promise<number> {
    return this.repo
      .createQueryBuilder('u')
      .innerJoin('u.roles', 'r', 'r.id = :roleId', { roleId })
      .where('u.disabled = :disabled', { disabled: false })
      .getCount();
  }
}
