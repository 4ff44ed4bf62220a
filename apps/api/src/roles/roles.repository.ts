import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { RoleEntity } from './role.entity';

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
