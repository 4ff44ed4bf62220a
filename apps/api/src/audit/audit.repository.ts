import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AuditQuery } from '@tyto/contracts';
import { Repository } from 'typeorm';
import { AuditEntryEntity } from './audit-entry.entity';

export type NewAuditEntry = Omit<AuditEntryEntity, 'id'>;

/** Escapes LIKE wildcards so a filter value matches literally (with ESCAPE '\'). */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class AuditRepository {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly repo: Repository<AuditEntryEntity>,
  ) {}

  async insert(entry: NewAuditEntry): Promise<void> {
    // One row: no transaction or read-back needed.
    await this.repo.save(Object.assign(new AuditEntryEntity(), entry), {
      transaction: false,
      reload: false,
    });
  }

  /** One page of entries matching the filters, newest first, and how many match in all. */
  find(q: AuditQuery): Promise<[AuditEntryEntity[], number]> {
    const qb = this.repo.createQueryBuilder('a');
    if (q.actor) {
      qb.andWhere('(a.actorId = :actor OR LOWER(a.actorUsername) = :actorKey)', {
        actor: q.actor,
        actorKey: q.actor.toLowerCase(),
      });
    }
    if (q.action?.endsWith('*')) {
      qb.andWhere(`a.action LIKE :action ESCAPE '\\'`, {
        action: `${escapeLike(q.action.slice(0, -1))}%`,
      });
    } else if (q.action) {
      qb.andWhere('a.action = :action', { action: q.action });
    }
    if (q.outcome) qb.andWhere('a.outcome = :outcome', { outcome: q.outcome });
    // Stored timestamps are all toISOString() output, so string order is time order.
    if (q.from) qb.andWhere('a.timestamp >= :from', { from: new Date(q.from).toISOString() });
    if (q.to) qb.andWhere('a.timestamp <= :to', { to: new Date(q.to).toISOString() });
    return qb.orderBy('a.id', 'DESC').skip(q.offset).take(q.limit).getManyAndCount();
  }
}
