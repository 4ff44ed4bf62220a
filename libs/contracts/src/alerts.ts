import * as z from 'zod';
import { emailString, freeText, isoTimeString, safeString } from './strings';

export const ALERT_LEVELS = ['warning', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/**
 * What an alert is about. The first three are the REST contract's thresholds; `disk` and
 * `inodes` are per mount, `temperature` per sensor, `gpu`/`gpu_temperature` per GPU,
 * `container` per container, `systemd` per unit; the rest are per host.
 */
export const ALERT_TYPES = [
  'cpu',
  'memory',
  'disk',
  'swap',
  'load',
  'inodes',
  'temperature',
  'gpu',
  'gpu_temperature',
  'container',
  'systemd',
  'host_offline',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Types whose condition is a state (stopped, failed, offline), not a number against a line. */
export const STATE_ALERT_TYPES = [
  'container',
  'systemd',
  'host_offline',
] as const satisfies readonly AlertType[];
export const isStateAlertType = (t: AlertType): boolean =>
  (STATE_ALERT_TYPES as readonly string[]).includes(t);

/** The largest threshold each numeric type takes: percentages 100, load per core 1000, °C 200. */
export const ALERT_THRESHOLD_MAX: Record<AlertType, number> = {
  cpu: 100,
  memory: 100,
  disk: 100,
  swap: 100,
  load: 1000,
  inodes: 100,
  temperature: 200,
  gpu: 100,
  gpu_temperature: 200,
  container: 0,
  systemd: 0,
  host_offline: 0,
};

const percent = () => z.number().min(0).max(100);

/** A warning and a critical line, 0–100, warning ≤ critical. */
export const ThresholdPairSchema = z
  .strictObject({ warning: percent(), critical: percent() })
  .refine((p) => p.warning <= p.critical, {
    message: 'warning must not be above critical',
    path: ['warning'],
  });
export type ThresholdPair = z.infer<typeof ThresholdPairSchema>;

/** The REST contract's alert thresholds (`config` of GET /alerts). */
export const AlertConfigSchema = z.object({
  cpu: ThresholdPairSchema,
  memory: ThresholdPairSchema,
  disk: ThresholdPairSchema,
});
export type AlertConfig = z.infer<typeof AlertConfigSchema>;

/** POST /alerts/config: any of the three; with `agent_id`, an override for that host only. */
export const AlertConfigRequestSchema = z.strictObject({
  agent_id: safeString().min(1).max(128).optional(),
  cpu: ThresholdPairSchema.optional(),
  memory: ThresholdPairSchema.optional(),
  disk: ThresholdPairSchema.optional(),
});
export type AlertConfigRequest = z.infer<typeof AlertConfigRequestSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  type: z.enum(ALERT_TYPES),
  level: z.enum(ALERT_LEVELS),
  /** The value when the alert was raised or last changed level (1 for state alerts). */
  value: z.number(),
  /** The line it crossed (null for state alerts). */
  threshold: z.number().nullable(),
  agent_id: z.string(),
  /** The mount, sensor, GPU, container or unit; '' for host-wide alerts. */
  subject: z.string(),
  /** One line for people: "Memory 91.2% ≥ 85% on web-01". */
  message: z.string(),
  /** ISO 8601 UTC. */
  created_at: z.string(),
  updated_at: z.string(),
  /** Null while active. */
  resolved_at: z.string().nullable(),
  acknowledged: z.boolean(),
  acknowledged_at: z.string().nullable(),
  acknowledged_by: z.string().nullable(),
  /** Raised inside a silence: recorded, not notified. */
  silenced: z.boolean(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const AlertListQuerySchema = z.strictObject({
  /** Default `active`. */
  state: z.enum(['active', 'resolved', 'all']).optional(),
  agent_id: safeString().min(1).max(128).optional(),
  level: z.enum(ALERT_LEVELS).optional(),
  type: z.enum(ALERT_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

export const AlertListResponseSchema = z.object({
  /** Newest first. */
  alerts: z.array(AlertSchema),
  /** Alerts matching the filters, all pages. */
  total: z.number().int(),
  config: AlertConfigSchema,
});
export type AlertListResponse = z.infer<typeof AlertListResponseSchema>;

export const AlertRuleSchema = z.object({
  /** `<type>` for the global rule, `<type>@<agent_id>` for a host's override. */
  id: z.string(),
  type: z.enum(ALERT_TYPES),
  /** Null: the global rule; a host's override replaces it for that host. */
  agent_id: z.string().nullable(),
  enabled: z.boolean(),
  /** Numeric types: the lines (null: that level is not raised). */
  warning: z.number().nullable(),
  critical: z.number().nullable(),
  /** Seconds the condition must hold before the alert is raised (0: on the next sample). */
  for: z.number().int(),
  /** An alert clears (or steps down) only below its line minus this. */
  hysteresis: z.number(),
  /** State types: the level raised. */
  level: z.enum(ALERT_LEVELS),
  /** host_offline: samples missed (× the sampling interval) before the host is offline. */
  intervals: z.number().int(),
  /** True for a stored rule, false for a built-in default. */
  customized: z.boolean(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

export const AlertRuleListResponseSchema = z.object({ rules: z.array(AlertRuleSchema) });
export type AlertRuleListResponse = z.infer<typeof AlertRuleListResponseSchema>;

/** POST /alerts/rules: sets the global rule of a type, or a host's override of it. */
export const AlertRuleRequestSchema = z
  .strictObject({
    type: z.enum(ALERT_TYPES),
    agent_id: safeString().min(1).max(128).nullable().optional(),
    enabled: z.boolean().optional(),
    warning: z.number().min(0).nullable().optional(),
    critical: z.number().min(0).nullable().optional(),
    for: z.number().int().min(0).max(86_400).optional(),
    hysteresis: z.number().min(0).max(100).optional(),
    level: z.enum(ALERT_LEVELS).optional(),
    intervals: z.number().int().min(1).max(1000).optional(),
  })
  .superRefine((r, ctx) => {
    const max = ALERT_THRESHOLD_MAX[r.type];
    for (const key of ['warning', 'critical'] as const) {
      const v = r[key];
      if (v === undefined || v === null) continue;
      if (isStateAlertType(r.type)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `not used by ${r.type} rules` });
      } else if (v > max) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must be at most ${max}` });
      }
    }
    if (typeof r.warning === 'number' && typeof r.critical === 'number' && r.warning > r.critical) {
      ctx.addIssue({
        code: 'custom',
        path: ['warning'],
        message: 'warning must not be above critical',
      });
    }
    if (r.intervals !== undefined && r.type !== 'host_offline') {
      ctx.addIssue({ code: 'custom', path: ['intervals'], message: 'only for host_offline' });
    }
  });
export type AlertRuleRequest = z.infer<typeof AlertRuleRequestSchema>;

export const SilenceSchema = z.object({
  id: z.string(),
  /** Null: every host. */
  agent_id: z.string().nullable(),
  starts_at: z.string(),
  ends_at: z.string(),
  reason: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  /** True while now is inside it. */
  active: z.boolean(),
});
export type Silence = z.infer<typeof SilenceSchema>;

export const SilenceListResponseSchema = z.object({ silences: z.array(SilenceSchema) });
export type SilenceListResponse = z.infer<typeof SilenceListResponseSchema>;

export const CreateSilenceRequestSchema = z
  .strictObject({
    agent_id: safeString().min(1).max(128).nullable().optional(),
    /** Default now. */
    starts_at: isoTimeString().optional(),
    ends_at: isoTimeString(),
    reason: freeText().trim().min(1).max(500),
  })
  .refine((s) => Date.parse(s.ends_at) > Date.parse(s.starts_at ?? new Date().toISOString()), {
    message: 'must be after starts_at (and in the future)',
    path: ['ends_at'],
  });
export type CreateSilenceRequest = z.infer<typeof CreateSilenceRequestSchema>;

export const CHANNEL_TYPES = ['webhook', 'email', 'slack', 'teams', 'ntfy', 'gotify'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const EmailSettingsSchema = z.strictObject({
  host: safeString().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  /** `tls`: TLS from the start (465); `starttls`: required upgrade (587); `none`: plain. */
  security: z.enum(['tls', 'starttls', 'none']),
  username: safeString().max(256).nullable().optional(),
  from: emailString(),
  to: z.array(emailString()).min(1).max(50),
});
export type EmailSettings = z.infer<typeof EmailSettingsSchema>;

export const ChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  enabled: z.boolean(),
  /** Alerts below this level are not sent. */
  min_level: z.enum(ALERT_LEVELS),
  /** Only these hosts; null: every host. */
  agent_ids: z.array(z.string()).nullable(),
  /** Seconds between reminders of an unacknowledged active alert; 0: none. */
  repeat_interval: z.number().int(),
  /** Also send when an alert clears. */
  send_resolved: z.boolean(),
  /**
   * Target URL (every type but email). Slack and Teams URLs carry their secret in the path,
   * so for those only the origin is shown once set.
   */
  url: z.string().nullable(),
  email: EmailSettingsSchema.nullable(),
  /** A secret (HMAC key, SMTP password, token) is set; it is never returned. */
  has_secret: z.boolean(),
  last_success_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Channel = z.infer<typeof ChannelSchema>;

export const ChannelListResponseSchema = z.object({ channels: z.array(ChannelSchema) });
export type ChannelListResponse = z.infer<typeof ChannelListResponseSchema>;

const channelFields = {
  name: safeString().trim().min(1).max(128),
  enabled: z.boolean().optional(),
  min_level: z.enum(ALERT_LEVELS).optional(),
  agent_ids: z.array(safeString().min(1).max(128)).max(1000).nullable().optional(),
  repeat_interval: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
  send_resolved: z.boolean().optional(),
  url: safeString().max(2048).nullable().optional(),
  email: EmailSettingsSchema.nullable().optional(),
  /**
   * Webhook: HMAC-SHA256 key for `X-Tyto-Signature`; email: SMTP password; ntfy: access token;
   * gotify: application token. Omitted on update: kept; null: removed.
   */
  secret: safeString().min(1).max(1024).nullable().optional(),
};

const checkTarget = (
  c: { type?: ChannelType; url?: string | null; email?: EmailSettings | null },
  ctx: z.RefinementCtx,
) => {
  if (c.type === 'email' && c.email === null) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'required for email channels' });
  }
  if (c.type !== undefined && c.type !== 'email' && c.url === null) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `required for ${c.type} channels` });
  }
};

export const CreateChannelRequestSchema = z
  .strictObject({ type: z.enum(CHANNEL_TYPES), ...channelFields })
  .superRefine((c, ctx) => checkTarget({ ...c, url: c.url ?? null, email: c.email ?? null }, ctx));
export type CreateChannelRequest = z.infer<typeof CreateChannelRequestSchema>;

export const UpdateChannelRequestSchema = z.strictObject({
  ...channelFields,
  name: channelFields.name.optional(),
});
export type UpdateChannelRequest = z.infer<typeof UpdateChannelRequestSchema>;

export const ChannelTestResponseSchema = z.object({ delivery_id: z.string() });
export type ChannelTestResponse = z.infer<typeof ChannelTestResponseSchema>;

/** What goes out (webhook body) and over SSE (`event: alert`) when an alert changes. */
export const ALERT_CHANGES = [
  'raised',
  'escalated',
  'deescalated',
  'resolved',
  'acknowledged',
  'repeat',
  'test',
] as const;
export type AlertChange = (typeof ALERT_CHANGES)[number];

export const AlertEventSchema = z.object({
  change: z.enum(ALERT_CHANGES),
  alert: AlertSchema,
  /** Active alerts on the hub after the change (the bell's count). */
  active: z.number().int(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
