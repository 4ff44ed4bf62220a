import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import type { Alert, AlertEvent, AlertLevel, AlertType, MetricsSnapshot } from '@tyto/contracts';
import { AgentsService } from '../agents/agents.service';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { JobLeases, type Lease } from '../database/job-leases';
import { nextTurn } from '../database/serial';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { AlertBook, type AlertEffect, type SilenceWindow } from './alert-book';
import { AlertEngine, type PendingChange, type Transition } from './alert-engine';
import { RuleSet, type StoredRule } from './alert-rules';
import {
  AlertEntity,
  AlertPendingEntity,
  type AlertRuleEntity,
  type SilenceEntity,
} from './alerts.entities';
import { ALERT_CHANGED, ALERT_RAISED } from './alerts.events';
import { AlertsRepository } from './alerts.repository';
import { NotificationsService } from './notifications.service';

const OFFLINE_CHECK_MS = 1000;

/** The agents' reconnect back-off is capped at 60 s (apps/agent); a restart gives them that. */
const RECONNECT_GRACE_MS = 60_000;
/** One replica evaluates at a time: it renews this lease every period and stops when it fails. */
export const EVALUATE_LEASE = 'alerts.evaluate';
export const EVALUATE_LEASE_PERIOD_MS = 5000;
const EVALUATE_LEASE_TTL_MS = 3 * EVALUATE_LEASE_PERIOD_MS;

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
 * published (`alert.raised` / `alert.changed`) and handed to the notifications. Active alerts and
 * pending conditions (a `for` running) are loaded when evaluation starts, so a restart neither
 * forgets nor re-notifies an alert, nor starts a long `for` afresh.
 *
 * Of several replicas on one database, only the holder of the `alerts.evaluate` lease evaluates
 * (samples and host-offline checks); the others skip. The holder renews it every period; when a
 * renewal fails it stops at once, and a replica that takes the lease over loads the state from the
 * database first. With one hub the lease is taken at start and behaviour is as without it.
 */
@Injectable()
export class AlertEvaluator
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(AlertEvaluator.name);
  private storedRules: StoredRule[] = [];
  readonly rules = new RuleSet();
  private engine = this.newEngine();
  private book = new AlertBook();
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private intervalMs: number;
  /** Held while this replica evaluates; null while another one does (or it is being taken). */
  private lease: Lease | null = null;
  private renewing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(TYTO_CONFIG) config: TytoConfig,
    private readonly repo: AlertsRepository,
    private readonly notifications: NotificationsService,
    private readonly bus: HubBus,
    private readonly leases: JobLeases,
    private readonly agents: AgentsService,
  ) {
    this.intervalMs = config.sampleInterval * 1000;
  }

  async onModuleInit(): Promise<void> {
    await this.reloadRules();
    await this.reloadSilences();
    await this.renewLease();
    this.leaseTimer = setInterval(() => void this.renewLease(), EVALUATE_LEASE_PERIOD_MS);
    this.leaseTimer.unref();
    this.timer = setInterval(() => this.checkOffline(), OFFLINE_CHECK_MS);
    this.timer.unref();
  }

  // While the database is still open: the pending conditions are marked watched until now, so
  // the next evaluator does not count the downtime towards their `for`.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.renewing;
    await this.writes;
    if (this.lease) {
      await this.repo.touchPending(Date.now()).catch(() => undefined);
      this.lease = null;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writes;
  }

  /** Whether this replica evaluates now (holds the `alerts.evaluate` lease). */
  get evaluating(): boolean {
    return this.lease !== null;
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

  /**
   * Takes or renews the lease (at start, then every period). Taking it over (a new token) loads
   * the state first; renewing refreshes what other replicas may have changed (rules, silences,
   * acknowledgements) and marks the pending conditions as watched.
   */
  renewLease(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    if (this.stopped) return;
    let lease: Lease | null = null;
    try {
      lease = await this.leases.hold(EVALUATE_LEASE, EVALUATE_LEASE_TTL_MS);
    } catch (e) {
      this.logger.warn(`renewing the ${EVALUATE_LEASE} lease failed: ${(e as Error).message}`);
    }
    const had = this.lease;
    if (!lease) {
      if (had) this.logger.warn(`${EVALUATE_LEASE} lease lost: this replica stops evaluating`);
      this.lease = null;
      return;
    }
    try {
      if (!had || had.token !== lease.token) {
        // Another replica may have evaluated since this one last did: start from the database.
        this.lease = null;
        await this.writes;
        await this.loadState();
        if (this.stopped) return;
        this.lease = lease;
        if (had || lease.token > 1) this.logger.log(`${EVALUATE_LEASE} lease taken: evaluating`);
      } else {
        this.lease = lease;
        await this.refresh();
      }
    } catch (e) {
      this.lease = null;
      this.logger.error(`loading the alert state failed: ${(e as Error).message}`);
    }
  }

  private newEngine(): AlertEngine {
    return new AlertEngine((id) => this.rules.forHost(id));
  }

  /** Active alerts, pending conditions, rules and silences from the database, afresh. */
  private async loadState(): Promise<void> {
    await this.reloadRules();
    const silences = (await this.repo.currentSilences(new Date().toISOString())).map(
      toSilenceWindow,
    );
    const active = (await this.repo.active()).map(toAlert);
    const pending = await this.repo.allPending();
    const notified = await this.notifications.notifiedAlertIds(active.map((a) => a.id));
    const now = Date.now();
    const engine = this.newEngine();
    engine.restore(
      active.map((a) => ({
        id: a.id,
        agentId: a.agent_id,
        type: a.type,
        subject: a.subject,
        level: a.level,
      })),
      now,
    );
    // The time nobody watched (since the last evaluator last confirmed) does not count towards
    // `for`; what was watched before does.
    engine.restorePending(
      pending.map((p) => ({
        agentId: p.agentId,
        type: p.type as AlertType,
        subject: p.subject,
        since: p.since + Math.max(0, now - p.checkedAt),
      })),
      now,
    );
    // Every enrolled host is watched from the start, so one that never comes back after a hub
    // restart still goes `host_offline`. Its clock starts now plus the agents' longest reconnect
    // back-off, so a restart does not raise an alert for hosts that are merely reconnecting.
    for (const agent of await this.agents.list()) {
      if (agent.status === 'online' || agent.status === 'offline') {
        engine.watch(agent.id, now + RECONNECT_GRACE_MS);
      }
    }
    const book = new AlertBook(silences);
    book.restore(active, notified);
    this.engine = engine;
    this.book = book;
  }

  /** What another replica may have written while this one evaluates. */
  private async refresh(): Promise<void> {
    await this.reloadRules();
    await this.reloadSilences();
    // Published by the replica that took them; here they only keep the alerts quiet.
    this.book.adoptAcknowledgements((await this.repo.active()).map(toAlert));
    await this.repo.touchPending(Date.now());
  }

  @OnHubEvent(METRICS_SAMPLE)
  onSample(sample: MetricsSnapshot): void {
    if (!this.lease) return;
    const transitions = this.engine.evaluate(sample, Date.now());
    this.apply(transitions, this.engine.takePendingChanges());
  }

  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.intervalMs = event.interval * 1000;
  }

  /**
   * Acknowledges an active alert; null when it is not active. A replica that does not evaluate
   * writes it to the database, where the evaluating one picks it up at its next renewal.
   */
  async acknowledge(id: string, by: string): Promise<Alert | null> {
    if (!this.lease) return this.acknowledgeStored(id, by);
    const effect = this.book.acknowledge(id, by, Date.now());
    if (!effect) return null;
    this.enqueue([effect], []);
    await this.writes;
    return effect.alert;
  }

  private async acknowledgeStored(id: string, by: string): Promise<Alert | null> {
    const row = await this.repo.findAlert(id);
    if (!row || row.resolvedAt !== null) return null;
    if (row.acknowledgedAt !== null) return toAlert(row);
    const at = new Date().toISOString();
    Object.assign(row, { acknowledgedAt: at, acknowledgedBy: by, updatedAt: at });
    await this.repo.saveAlert(row);
    const alert = toAlert(row);
    this.bus.publish(ALERT_CHANGED, {
      change: 'acknowledged',
      alert,
      active: (await this.repo.active()).length,
    } satisfies AlertEvent);
    return alert;
  }

  /** Waits until every change so far is written and handed on (tests, shutdown). */
  flush(): Promise<void> {
    return this.writes;
  }

  private checkOffline(): void {
    if (!this.lease) return;
    const transitions = this.engine.checkOffline(Date.now(), this.intervalMs);
    if (transitions.length) this.apply(transitions, []);
  }

  private apply(transitions: Transition[], pending: PendingChange[]): void {
    if (transitions.length || pending.length) this.enqueue(this.book.apply(transitions), pending);
  }

  private publish(change: AlertEvent['change'], alert: Alert): AlertEvent {
    const event: AlertEvent = { change, alert, active: this.book.activeCount };
    this.bus.publish(change === 'raised' ? ALERT_RAISED : ALERT_CHANGED, event);
    return event;
  }

  private enqueue(effects: AlertEffect[], pending: PendingChange[]): void {
    // Changes are written one after another, so a resolve never lands before its raise.
    this.writes = this.writes.then(async () => {
      for (const p of pending) {
        try {
          if (p.since === null) await this.repo.deletePending(p.agentId, p.type, p.subject);
          else
            await this.repo.savePending(
              Object.assign(new AlertPendingEntity(), {
                agentId: p.agentId,
                type: p.type,
                subject: p.subject.slice(0, 255),
                since: p.since,
                checkedAt: Date.now(),
              }),
            );
        } catch (e) {
          this.logger.error(`saving a pending condition failed: ${(e as Error).message}`);
        }
        // One write at a time, then a turn of the event loop: a back-fill from a thousand agents
        // queues thousands of these, which in one run held the event loop for 20 s on SQLite.
        await nextTurn();
      }
      for (const effect of effects) {
        await nextTurn();
        try {
          await this.repo.saveAlert(toEntity(effect.alert));
        } catch (e) {
          this.logger.error(`saving alert ${effect.alert.id} failed: ${(e as Error).message}`);
          continue;
        }
        const event = this.publish(effect.change, effect.alert);
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

  /** For reminders: active alerts that may be repeated now (none where another replica evaluates). */
  remindable(now: number): Alert[] {
    if (!this.lease) return [];
    return this.book
      .list()
      .filter((a) => this.book.wasNotified(a.id) && this.book.remindable(a, now));
  }
}
