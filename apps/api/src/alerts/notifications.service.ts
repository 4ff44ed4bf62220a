import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Alert, AlertEvent, ChannelType, EmailSettings } from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import { JobLeases } from '../database/job-leases';
import { DeliveryEntity, type ChannelEntity } from './alerts.entities';
import { ChannelsRepository } from './alerts.repository';
import { channelWants, ChannelsService } from './channels.service';
import { httpNotification, post, sendEmail } from './senders';

/** Attempts before a delivery is given up (about 17 minutes of back-off in all). */
export const MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 10 * 60_000;
/**
 * The queue is looked at this often even when nothing was queued here (rows queued by other
 * replicas); each look renews the delivery lease.
 */
const SWEEP_MS = 5_000;
/** One replica delivers at a time; the lease outlives a few sweeps. */
export const NOTIFY_LEASE = 'alerts.notify';
const NOTIFY_LEASE_TTL_MS = 3 * SWEEP_MS;
const REMIND_EVERY_MS = 5_000;
const BATCH = 20;

/** Back-off after the n-th failed attempt: 1 s, 2 s, 4 s, … up to 10 minutes. */
export const backoffMs = (attempts: number) => Math.min(1000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);

/**
 * The notification queue. Each change an alert's channels want becomes one delivery row per
 * channel; a worker sends due rows, marks them sent, or schedules a retry with back-off and
 * notes the error on the channel. A row is claimed before it is sent, so it goes out once. Of
 * several replicas on one database only the holder of the `alerts.notify` lease sends (any may
 * queue). Reminders of unacknowledged alerts follow each channel's repeat interval.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsService.name);
  /** `${alertId}\0${channelId}` → when it last went to that channel (epoch ms). */
  private readonly lastSent = new Map<string, number>();
  private remindable: ((now: number) => Alert[]) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private remindTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Whether the last run held the delivery lease (else the next look is a sweep away). */
  private delivering = false;

  constructor(
    private readonly repo: ChannelsRepository,
    private readonly channels: ChannelsService,
    private readonly leases: JobLeases,
  ) {}

  onModuleInit(): void {
    this.remindTimer = setInterval(() => void this.remind(), REMIND_EVERY_MS);
    this.remindTimer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.remindTimer) clearInterval(this.remindTimer);
    await this.running;
  }

  /** Where reminders come from (the evaluator's active alerts). */
  setRemindableSource(source: (now: number) => Alert[]): void {
    this.remindable = source;
  }

  /** Alerts among these that reached a channel before (and when, for reminders). */
  async notifiedAlertIds(alertIds: string[]): Promise<string[]> {
    const rows = await this.repo.lastSent(alertIds);
    for (const r of rows) this.lastSent.set(`${r.alertId}\0${r.channelId}`, Date.parse(r.at));
    return [...new Set(rows.map((r) => r.alertId))];
  }

  /** Queues the event for every channel that wants it. */
  async notify(event: AlertEvent): Promise<void> {
    const wanted = (await this.channels.all()).filter((c) =>
      channelWants(c, event.alert, event.change),
    );
    await this.queue(wanted, event);
  }

  /** Queues a test message to one channel; answers the delivery id. */
  async test(channel: ChannelEntity): Promise<string> {
    const now = new Date().toISOString();
    const alert: Alert = {
      id: randomUUID(),
      type: 'cpu',
      level: 'warning',
      value: 0,
      threshold: 0,
      agent_id: 'local',
      subject: '',
      message: `Test notification from Tyto to channel "${channel.name}"`,
      created_at: now,
      updated_at: now,
      resolved_at: null,
      acknowledged: false,
      acknowledged_at: null,
      acknowledged_by: null,
      silenced: false,
    };
    const [id] = await this.queue([channel], { change: 'test', alert, active: 0 }, null);
    return id;
  }

  /** Runs the queue now (and waits for the run), for tests and after queueing. */
  async drain(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private async queue(
    channels: ChannelEntity[],
    event: AlertEvent,
    alertId: string | null = event.alert.id,
  ): Promise<string[]> {
    if (channels.length === 0) return [];
    const now = Date.now();
    const rows = channels.map((c) =>
      Object.assign(new DeliveryEntity(), {
        id: randomUUID(),
        channelId: c.id,
        alertId,
        change: event.change,
        payload: JSON.stringify(event),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: new Date(now).toISOString(),
        sentAt: null,
      }),
    );
    await this.repo.insertDeliveries(rows);
    if (alertId) for (const c of channels) this.lastSent.set(`${alertId}\0${c.id}`, now);
    this.kick();
    return rows.map((r) => r.id);
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.run()
      .catch((e: unknown) => this.logger.error(`delivery run failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.scheduleNext();
      });
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    let delay = SWEEP_MS;
    if (this.delivering)
      try {
        const next = await this.repo.nextDue();
        if (next !== null) delay = Math.min(delay, Math.max(0, next - Date.now()));
      } catch (e) {
        this.logger.warn(`reading the delivery queue failed: ${(e as Error).message}`);
      }
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.delivering = false;
    const lease = await this.leases.hold(NOTIFY_LEASE, NOTIFY_LEASE_TTL_MS);
    if (!lease) return; // another replica delivers
    for (;;) {
      const due = await this.repo.due(Date.now(), BATCH);
      if (due.length === 0 || this.stopped) break;
      // Fencing: a replica whose lease moved on (it stalled past the TTL) sends nothing more.
      if (!(await this.leases.stillHeld(lease))) return;
      await Promise.all(due.map((d) => this.attempt(d)));
    }
    this.delivering = true;
  }

  private async attempt(d: DeliveryEntity): Promise<void> {
    const channel = await this.channels.current(d.channelId);
    const attempts = d.attempts + 1;
    if (!channel) {
      await this.repo.updateDelivery(d.id, {
        status: 'failed',
        attempts,
        lastError: 'channel deleted',
      });
      return;
    }
    // Claim the row by bumping its attempt time, so a second run (or replica) skips it.
    const claimUntil = Date.now() + 60_000;
    await this.repo.updateDelivery(d.id, { nextAttemptAt: claimUntil, attempts });
    const at = new Date().toISOString();
    try {
      await this.send(channel, JSON.parse(d.payload) as AlertEvent, d.id);
    } catch (e) {
      const error = (e as Error).message || String(e);
      const giveUp = attempts >= MAX_ATTEMPTS;
      await this.repo.updateDelivery(d.id, {
        status: giveUp ? 'failed' : 'pending',
        nextAttemptAt: Date.now() + backoffMs(attempts),
        lastError: error.slice(0, 1024),
      });
      await this.channels.recordError(channel.id, error, at);
      this.logger.warn(
        `notification to channel "${channel.name}" failed (attempt ${attempts}${giveUp ? ', giving up' : ''}): ${error}`,
      );
      return;
    }
    await this.repo.updateDelivery(d.id, { status: 'sent', sentAt: at, lastError: null });
    await this.channels.recordSuccess(channel.id, at);
  }

  private async send(c: ChannelEntity, event: AlertEvent, deliveryId: string): Promise<void> {
    if (c.type === 'email') {
      await sendEmail(c.email as EmailSettings, c.secret, event);
      return;
    }
    const type = c.type as Exclude<ChannelType, 'email'>;
    await post(httpNotification(type, c.url ?? '', c.secret, event, deliveryId));
  }

  private async remind(): Promise<void> {
    if (!this.remindable || this.stopped) return;
    const now = Date.now();
    try {
      const channels = (await this.channels.all()).filter((c) => c.repeatInterval > 0);
      if (channels.length === 0) return;
      for (const alert of this.remindable(now)) {
        const due = channels.filter((c) => {
          const last = this.lastSent.get(`${alert.id}\0${c.id}`);
          return (
            last !== undefined &&
            now - last >= c.repeatInterval * 1000 &&
            channelWants(c, alert, 'repeat')
          );
        });
        await this.queue(due, { change: 'repeat', alert, active: 0 });
      }
    } catch (e) {
      this.logger.error(`queueing reminders failed: ${(e as Error).message}`);
    }
  }
}
