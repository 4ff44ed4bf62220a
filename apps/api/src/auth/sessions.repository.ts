import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Not, Repository } from 'typeorm';
import { SessionEntity } from './session.entity';

@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(SessionEntity) private readonly repo: Repository<SessionEntity>) {}

  save(session: SessionEntity): Promise<SessionEntity> {
    return this.repo.save(session);
  }

  /** The session with its user and the user's roles, in one query. */
  findByTokenHash(tokenHash: string): Promise<SessionEntity | null> {
    return this.repo.findOne({ where: { tokenHash }, relations: { user: { roles: true } } });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.repo.findOne({ where: { id }, relations: { user: { roles: true } } });
  }

  /** Last-seen times of many sessions, in one transaction. */
  async touchMany(batch: readonly { id: string; at: string }[]): Promise<void> {
    await this.repo.manager.transaction(async (m) => {
      for (const { id, at } of batch) await m.update(SessionEntity, { id }, { lastSeenAt: at });
    });
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /** Ends every session of a user, or every one but `exceptId`. */
  async deleteForUser(userId: string, exceptId?: string): Promise<void> {
    await this.repo.delete(exceptId ? { userId, id: Not(exceptId) } : { userId });
  }

  async deleteExpired(now: string): Promise<void> {
    await this.repo.delete({ expiresAt: LessThan(now) });
  }
}
