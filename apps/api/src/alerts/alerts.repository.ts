import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AlertListQuery } from '@tyto/contracts';
import { In, IsNull, LessThanOrEqual, MoreThan, Not, Repository } from 'typeorm';
import {
  AlertEntity,
  AlertPendingEntity,
  AlertRuleEntity,
  ChannelEntity,
  DeliveryEntity,
  SilenceEntity,
} from './alerts.entities';

// One row per write and no implicit transaction: on SQLite (one connection) a save's own
// transaction would interleave with the history writer's and break both.
const NO_TRANSACTION = { transaction: false, reload: false } as const;

/** Alerts, rules and silences: everything of the module but the notification queue. */
@Injectable()
export class AlertsRepository {
  constructor(
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
    @InjectRepository(AlertRuleEntity) private readonly rules: Repository<AlertRuleEntity>,
    @InjectRepository(SilenceEntity) private readonly silences: Repository<SilenceEntity>,
    @InjectRepository(AlertPendingEntity)
    private readonly pending: Repository<AlertPendingEntity>,
  ) {}

  allPending(): Promise<AlertPendingEntity[]> {
    return this.pending.find();
  }

  async savePending(p: AlertPendingEntity): Promise<void> {
    await this.pending.save(p, NO_TRANSACTION);
  }

  async deletePending(agentId: string, type: string, subject: string): Promise<void> {
    await this.pending.delete({ agentId, type, subject });
  }

  /** Marks every pending condition as watched until `at` (one statement). */
  async touchPending(at: number): Promise<void> {
    await this.pending.createQueryBuilder().update().set({ checkedAt: at }).execute();
  }

  active(): Promise<AlertEntity[]> {
    return this.alerts.find({ where: { resolvedAt: IsNull() } });
  }

  findAlert(id: string): Promise<AlertEntity | null> {
    return this.alerts.findOneBy({ id });
  }

  async saveAlert(a: AlertEntity): Promise<void> {
    await this.alerts.save(a, NO_TRANSACTION);
  }

  /** One page, newest first, and the count of all matching. */
  findAlerts(q: AlertListQuery): Promise<[AlertEntity[], number]> {
    const where: Record<string, unknown> = {};
    const state = q.state ?? 'active';
    if (state === 'active') where['resolvedAt'] = IsNull();
    if (state === 'resolved') where['resolvedAt'] = Not(IsNull());
    if (q.agent_id) where['agentId'] = q.agent_id;
    if (q.level) where['level'] = q.level;
    if (q.type) where['type'] = q.type;
    return this.alerts.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      take: q.limit,
      skip: q.offset,
    });
  }

  allRules(): Promise<AlertRuleEntity[]> {
    return this.rules.find();
  }

  async saveRule(r: AlertRuleEntity): Promise<void> {
    await this.rules.save(r, NO_TRANSACTION);
  }

  async deleteRule(type: string, agentId: string): Promise<boolean> {
    const res = await this.rules.delete({ type, agentId });
    return (res.affected ?? 0) > 0;
  }

  /** Silences that have not ended. */
  currentSilences(now: string): Promise<SilenceEntity[]> {
    return this.silences.find({ where: { endsAt: MoreThan(now) }, order: { startsAt: 'ASC' } });
  }

  recentSilences(limit: number): Promise<SilenceEntity[]> {
    return this.silences.find({ order: { endsAt: 'DESC' }, take: limit });
  }

  async saveSilence(s: SilenceEntity): Promise<void> {
    await this.silences.save(s, NO_TRANSACTION);
  }

  async deleteSilence(id: string): Promise<boolean> {
    const res = await this.silences.delete({ id });
    return (res.affected ?? 0) > 0;
  }
}

/** Notification channels and their delivery queue. */
@Injectable()
export class ChannelsRepository {
  constructor(
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
  ) {}

  allChannels(): Promise<ChannelEntity[]> {
    return this.channels.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findChannel(id: string): Promise<ChannelEntity | null> {
    return this.channels.findOneBy({ id });
  }

  async saveChannel(c: ChannelEntity): Promise<void> {
    await this.channels.save(c, NO_TRANSACTION);
  }

  async updateChannel(
    id: string,
    patch: Partial<Pick<ChannelEntity, 'lastSuccessAt' | 'lastError' | 'lastErrorAt'>>,
  ): Promise<void> {
    await this.channels.update({ id }, patch);
  }

  /** Deletes the channel and its queue. */
  async deleteChannel(id: string): Promise<boolean> {
    // Queue first: a delivery whose channel is gone is dropped by the worker anyway.
    await this.deliveries.delete({ channelId: id });
    const res = await this.channels.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  async insertDeliveries(rows: DeliveryEntity[]): Promise<void> {
    if (rows.length) await this.deliveries.insert(rows);
  }

  /** Pending deliveries due by `now`, oldest first. */
  due(now: number, limit: number): Promise<DeliveryEntity[]> {
    return this.deliveries.find({
      where: { status: 'pending', nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC', createdAt: 'ASC' },
      take: limit,
    });
  }

  /** When the next pending delivery is due (epoch ms), null when none is pending. */
  async nextDue(): Promise<number | null> {
    const row = await this.deliveries.findOne({
      where: { status: 'pending' },
      order: { nextAttemptAt: 'ASC' },
    });
    return row ? row.nextAttemptAt : null;
  }

  findDelivery(id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  async updateDelivery(id: string, patch: Partial<DeliveryEntity>): Promise<void> {
    await this.deliveries.update({ id }, patch);
  }

  /** The newest delivery time per (alert, channel) among active alerts, for reminders. */
  async lastSent(
    alertIds: string[],
  ): Promise<{ alertId: string; channelId: string; at: string }[]> {
    if (alertIds.length === 0) return [];
    const rows = await this.deliveries.find({
      where: { alertId: In(alertIds) },
      select: { alertId: true, channelId: true, createdAt: true },
    });
    const latest = new Map<string, { alertId: string; channelId: string; at: string }>();
    for (const r of rows) {
      const key = `${r.alertId}\0${r.channelId}`;
      const prev = latest.get(key);
      if (!prev || prev.at < r.createdAt) {
        latest.set(key, { alertId: r.alertId as string, channelId: r.channelId, at: r.createdAt });
      }
    }
    return [...latest.values()];
  }
}
