import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import type { Alert, AlertEvent, AlertLevel, AlertType, MetricsSnapshot } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { AlertBook, type AlertEffect, type SilenceWindow } from './alert-book';
import { AlertEngine, type Transition } from './alert-engine';
import { RuleSet, type StoredRule } from './alert-rules';
import { AlertEntity, type AlertRuleEntity, type SilenceEntity } from './alerts.entities';
import { ALERT_CHANGED, ALERT_RAISED } from './alerts.events';
import { AlertsRepository } from './alerts.repository';
import { NotificationsService } from './notifications.service';

const OFFLINE_CHECK_MS = 1000;

export const toStoredRule = (r: AlertRuleEntity): StoredRule => ({
  type: r.type as AlertType,
  agentId: r.agentId === '' ? null : r.agentId,
  enabled: r.enabled,
  warning: r.warning,
  critical: r.critical,
  for: r.forSeconds,
  hysteresis: r.hysteresis,
  level: r.level as AlertLevel,
  intervals: r.intervals,
});

export const toSilenceWindow = (s: SilenceEntity): SilenceWindow => ({
  agentId: s.agentId,
  startsAt: Date.parse(s.startsAt),
  endsAt: Date.parse(s.endsAt),
});

export function toAlert(e: AlertEntity): Alert {
  return {
    id: e.id,
    type: e.type as AlertType,
    level: e.level as AlertLevel,
    value: e.value,
    threshold: e.threshold,
    agent_id: e.agentId,
    subject: e.subject,
    message: e.message,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    resolved_at: e.resolvedAt,
    acknowledged: e.acknowledgedAt !== null,
    acknowledged_at: e.acknowledgedAt,
    acknowledged_by: e.acknowledgedBy,
    silenced: e.silenced,
  };
}

function toEntity(a: Alert): AlertEntity {
  return Object.assign(new AlertEntity(), {
    id: a.id,
    agentId: a.agent_id,
    type: a.type,
    subject: a.subject.slice(0, 255),
    level: a.level,
    value: a.value,
    threshold: a.threshold,
    message: a.message.slice(0, 512),
    createdAt: a.created_at,
    updatedAt: a.updated_at,
    resolvedAt: a.resolved_at,
    acknowledgedAt: a.acknowledged_at,
    acknowledgedBy: a.acknowledged_by,
    silenced: a.silenced,
  });
}

/**
 * Evaluates every `metrics.sample` on the bus, from any host, against the rules in memory: no
 * database read per sample, one pass over the host's rules. Changes are written in order, then
 * published (`alert.raised` / `alert.changed`) and handed to the notifications. Active alerts
 * are reloaded at start, so a restart neither forgets nor re-notifies them.
 *
 * One hub evaluates; several replicas behind one database would each evaluate (and notify)
 * until evaluation runs under a lease (DESIGN.md, "Scale past one machine").
 */
@Injectable()
export class AlertEvaluator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AlertEvaluator.name);
  private storedRules: StoredRule[] = [];
  readonly rules = new RuleSet();
  private readonly engine = new AlertEngine((id) => this.rules.forHost(id));
  private readonly book = new AlertBook();
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private intervalMs: number;

  constructor(
    @Inject(TYTO_CONFIG) config: TytoConfig,
    private readonly repo: AlertsRepository,
    private readonly notifications: NotificationsService,
    private readonly bus: HubBus,
  ) {
    this.intervalMs = config.sampleInterval * 1000;
  }

  async onModuleInit(): Promise<void> {
    await this.reloadRules();
    await this.reloadSilences();
    const active = (await this.repo.active()).map(toAlert);
    const now = Date.now();
    this.engine.restore(
      active.map((a) => ({
        id: a.id,
        agentId: a.agent_id,
        type: a.type,
        subject: a.subject,
        level: a.level,
      })),
      now,
    );
    this.book.restore(active, await this.notifications.notifiedAlertIds(active.map((a) => a.id)));
    this.timer = setInterval(() => this.checkOffline(), OFFLINE_CHECK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writes;
  }

  get activeCount(): number {
    return this.book.activeCount;
  }

  activeAlerts(): Alert[] {
    return this.book.list();
  }

  /** Rules in force, with the stored ones marked. */
  listRules() {
    return this.rules.list(this.storedRules);
  }

  async reloadRules(): Promise<void> {
    this.storedRules = (await this.repo.allRules()).map(toStoredRule);
    this.rules.replace(this.storedRules);
  }

  async reloadSilences(): Promise<void> {
    const rows = await this.repo.currentSilences(new Date().toISOString());
    this.book.setSilences(rows.map(toSilenceWindow));
  }

  @OnHubEvent(METRICS_SAMPLE)
  onSample(sample: MetricsSnapshot): void {
    const transitions = this.engine.evaluate(sample, Date.now());
    if (transitions.length) this.apply(transitions);
  }

  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.intervalMs = event.interval * 1000;
  }

  /** Acknowledges an active alert; null when it is not active. */
  async acknowledge(id: string, by: string): Promise<Alert | null> {
    const effect = this.book.acknowledge(id, by, Date.now());
    if (!effect) return null;
    this.enqueue([effect]);
    await this.writes;
    return effect.alert;
  }

  /** Waits until every change so far is written and handed on (tests, shutdown). */
  flush(): Promise<void> {
    return this.writes;
  }

  private checkOffline(): void {
    const transitions = this.engine.checkOffline(Date.now(), this.intervalMs);
    if (transitions.length) this.apply(transitions);
  }

  private apply(transitions: Transition[]): void {
    this.enqueue(this.book.apply(transitions));
  }

  private enqueue(effects: AlertEffect[]): void {
    // Changes are written one after another, so a resolve never lands before its raise.
    this.writes = this.writes.then(async () => {
      for (const effect of effects) {
        try {
          await this.repo.saveAlert(toEntity(effect.alert));
        } catch (e) {
          this.logger.error(`saving alert ${effect.alert.id} failed: ${(e as Error).message}`);
          continue;
        }
        const event: AlertEvent = {
          change: effect.change,
          alert: effect.alert,
          active: this.book.activeCount,
        };
        this.bus.publish(effect.change === 'raised' ? ALERT_RAISED : ALERT_CHANGED, event);
        if (effect.notify) {
          try {
            await this.notifications.notify(event);
          } catch (e) {
            this.logger.error(`queueing notifications failed: ${(e as Error).message}`);
          }
        }
      }
    });
  }

  /** For reminders: active alerts that may be repeated now. */
  remindable(now: number): Alert[] {
    return this.book
      .list()
      .filter((a) => this.book.wasNotified(a.id) && this.book.remindable(a, now));
  }
}
