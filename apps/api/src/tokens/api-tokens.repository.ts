import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';

@Injectable()
export class ApiTokensRepository {
  constructor(
    @InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>,
  ) {}

  save(token: ApiTokenEntity): Promise<ApiTokenEntity> {
    return this.repo.save(token);
  }

  /** The token with its owner and the owner's roles, in one query. */
  findByTokenHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOne({ where: { tokenHash }, relations: { user: { roles: true } } });
  }

  findById(id: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOne({ where: { id }, relations: { user: { roles: true } } });
  }

  /** Tokens of one user, or of everyone; newest first, with their owners. */
  list(userId?: string): Promise<ApiTokenEntity[]> {
    return this.repo.find({
      where: userId ? { userId } : {},
      relations: { user: true },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
  }

  /** Marks a token revoked; false when it was already revoked (or is gone). */
  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /** Last-used times of many tokens, in one transaction. */
  async touchMany(batch: readonly { id: string; at: string }[]): Promise<void> {
    await this.repo.manager.transaction(async (m) => {
      for (const { id, at } of batch) await m.update(ApiTokenEntity, { id }, { lastUsedAt: at });
    });
  }
}
