import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  count(): Promise<number> {
    return this.repo.count();
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id }, relations: { roles: true } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOne({
      where: { usernameKey: username.toLowerCase() },
      relations: { roles: true },
    });
  }

  findAll(): Promise<UserEntity[]> {
    return this.repo.find({ relations: { roles: true }, order: { usernameKey: 'ASC' } });
  }

  save(user: UserEntity): Promise<UserEntity> {
    return this.repo.save(user);
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
