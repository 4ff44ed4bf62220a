import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

const epochMs: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

/** One alert: active while `resolved_at` is null; one active per (agent, type, subject). */
@Entity('alerts')
@Index('idx_alerts_active', ['resolvedAt', 'agentId'])
export class AlertEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: string;

  @Column({ type: 'real' })
  value!: number;

  @Column({ type: 'real', nullable: true })
  threshold!: number | null;

  @Column({ type: 'varchar', length: 512 })
  message!: string;

  @Index('idx_alerts_created_at')
  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;

  @Column({ name: 'resolved_at', type: 'varchar', length: 32, nullable: true })
  resolvedAt!: string | null;

  @Column({ name: 'acknowledged_at', type: 'varchar', length: 32, nullable: true })
  acknowledgedAt!: string | null;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 128, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ type: 'boolean', default: false })
  silenced!: boolean;
}

/** A stored rule: the global rule of a type (`agent_id` '') or a host's override. */
@Entity('alert_rules')
export class AlertRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  type!: string;

  /** '' for the global rule (a primary key column cannot be null). */
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'real', nullable: true })
  warning!: number | null;

  @Column({ type: 'real', nullable: true })
  critical!: number | null;

  @Column({ name: 'for_seconds', type: 'integer' })
  forSeconds!: number;

  @Column({ type: 'real' })
  hysteresis!: number;

  @Column({ type: 'varchar', length: 16 })
  level!: string;

  @Column({ type: 'integer' })
  intervals!: number;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}

/** A maintenance window: alerts raised inside it are recorded, not notified. */
@Entity('alert_silences')
export class SilenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Null: every host. */
  @Column({ name: 'agent_id', type: 'varchar', length: 128, nullable: true })
  agentId!: string | null;

  @Column({ name: 'starts_at', type: 'varchar', length: 32 })
  startsAt!: string;

  @Index('idx_alert_silences_ends_at')
  @Column({ name: 'ends_at', type: 'varchar', length: 32 })
  endsAt!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;
}

/** Where notifications go. `secret` never leaves the hub through the API. */
@Entity('alert_channels')
export class ChannelEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'min_level', type: 'varchar', length: 16 })
  minLevel!: string;

  /** JSON array of agent ids, or null for every host. */
  @Column({ name: 'agent_ids', type: 'simple-json', nullable: true })
  agentIds!: string[] | null;

  @Column({ name: 'repeat_interval', type: 'integer' })
  repeatInterval!: number;

  @Column({ name: 'send_resolved', type: 'boolean' })
  sendResolved!: boolean;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  /** JSON EmailSettings, or null. */
  @Column({ type: 'simple-json', nullable: true })
  email!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  secret!: string | null;

  @Column({ name: 'last_success_at', type: 'varchar', length: 32, nullable: true })
  lastSuccessAt!: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_error_at', type: 'varchar', length: 32, nullable: true })
  lastErrorAt!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}

/** A queued notification: sent once, retried with back-off until it goes or gives up. */
@Entity('alert_deliveries')
@Index('idx_alert_deliveries_due', ['status', 'nextAttemptAt'])
export class DeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_alert_deliveries_channel_id')
  @Column({ name: 'channel_id', type: 'varchar', length: 36 })
  channelId!: string;

  @Column({ name: 'alert_id', type: 'varchar', length: 36, nullable: true })
  alertId!: string | null;

  /** raised, escalated, resolved, repeat, test. */
  @Column({ type: 'varchar', length: 16 })
  change!: string;

  /** The AlertEvent JSON as it was when queued. */
  @Column({ type: 'text' })
  payload!: string;

  /** pending, sent, failed. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  /** Epoch ms. */
  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'sent_at', type: 'varchar', length: 32, nullable: true })
  sentAt!: string | null;
}

/**
 * A condition that holds but has not yet held for its rule's `for` (no alert yet, or one not yet
 * escalated): kept so a restart or a change of evaluating replica does not start `for` afresh.
 */
@Entity('alert_pending')
export class AlertPendingEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  type!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  subject!: string;

  /** Epoch ms: since when the condition holds. */
  @Column({ type: 'bigint', transformer: epochMs })
  since!: number;

  /** Epoch ms: the evaluator last confirmed it was watching (renewed with its lease). */
  @Column({ name: 'checked_at', type: 'bigint', transformer: epochMs })
  checkedAt!: number;
}

export const ALERT_ENTITIES = [
  AlertEntity,
  AlertPendingEntity,
  AlertRuleEntity,
  SilenceEntity,
  ChannelEntity,
  DeliveryEntity,
];
