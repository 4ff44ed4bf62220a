import * as z from 'zod';
import {
  AGENT_DELETED,
  AGENT_REVOKED,
  AGENT_STATUS,
  AGENTS_TLS_CHANGED,
  AgentStatusSchema,
} from './agents';
import { AlertEventSchema } from './alerts';
import { LOG_BATCH_EVENT, LogEntrySchema, LogLineSchema } from './logs';
import { MetricsSnapshotSchema } from './metrics';
import { RefreshIntervalRequestSchema } from './settings';

/**
 * The hub's event bus: every event name, its payload schema, and whether it crosses to the other
 * hub replicas (through Redis when TYTO_REDIS_URL is set). Modules publish and subscribe through
 * the bus port in `apps/api/src/common/bus.ts`, which stamps each event with an envelope.
 *
 * An event crosses when another replica has something to do with it: SSE clients and caches on
 * every replica (samples, alerts, stored log lines, sessions ended), effects every replica applies
 * (an agent revoked, a user's sessions ended), and commands for an agent connected elsewhere.
 * Events derived locally from a crossing one (`auth.sessions.changed`, `agents.tls.changed`) stay
 * on their replica, so nothing is applied twice or echoed back.
 */

/** Where an event came from, stamped by the publishing replica. */
export const BusEnvelopeSchema = z.object({
  /** The publishing replica (TYTO_REPLICA_ID). */
  origin: z.string().min(1).max(128),
  /** The agent the event concerns, when there is one. */
  agent_id: z.string().max(128).nullable(),
  /** Per-origin sequence, increasing: a receiver can order or de-duplicate one origin's events. */
  seq: z.number().int().min(0),
  /** Publish time, ms since the epoch. */
  at: z.number(),
});
export type BusEnvelope = z.infer<typeof BusEnvelopeSchema>;

/** What a subscriber receives with a payload: the envelope, and whether it was published here. */
export interface DeliveredEnvelope extends BusEnvelope {
  local: boolean;
}

const userId = z.string().min(1).max(128);

/** A command for an agent that another replica holds the channel of. */
export const RelayedCommandSchema = z.object({
  request_id: z.string().min(1).max(64),
  agent_id: z.string().min(1).max(128),
  /** The replica that holds the agent's channel (from its presence key). */
  to: z.string().min(1).max(128),
  name: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()),
  timeout_ms: z.number().int().min(1).max(120_000),
});
export type RelayedCommand = z.infer<typeof RelayedCommandSchema>;

/** The answer, addressed to the replica that asked. */
export const RelayedCommandReplySchema = z.object({
  request_id: z.string().min(1).max(64),
  to: z.string().min(1).max(128),
  ok: z.boolean(),
  result: z.unknown().optional(),
  /** An AppError's code, message and details, so the asking replica answers as if local. */
  error: z
    .object({ code: z.string().max(64), message: z.string().max(2000), details: z.unknown() })
    .optional(),
});
export type RelayedCommandReply = z.infer<typeof RelayedCommandReplySchema>;

export const HUB_EVENTS = {
  /** One sample of one host, stamped with the agent id of its source. */
  'metrics.sample': { schema: MetricsSnapshotSchema, crosses: true },
  /** The sampling interval, seconds: at boot and on every change. */
  'settings.interval': { schema: RefreshIntervalRequestSchema, crosses: true },
  /** A new alert / any other change of one (escalated, stepped down, resolved, acknowledged). */
  'alert.raised': { schema: AlertEventSchema, crosses: true },
  'alert.changed': { schema: AlertEventSchema, crosses: true },
  /**
   * Sessions or the principals behind them changed: whoever holds a principal beyond one request
   * (open streams) re-checks it. `userId` absent: any user may be affected. Derived on each
   * replica from the crossing events below.
   */
  'auth.sessions.changed': {
    schema: z.object({ userId: userId.optional() }),
    crosses: false,
  },
  /** One session ended (logout): every replica drops its cached principal. */
  'auth.session.ended': {
    schema: z.object({ sessionId: z.string().min(1).max(128), userId }),
    crosses: true,
  },
  /**
   * End a user's sessions (all, or all but one). The publishing replica deletes them before its
   * publish settles; every replica drops cached principals and re-checks its streams.
   */
  'user.sessions.end': {
    schema: z.object({ userId, exceptSessionId: z.string().max(128).optional() }),
    crosses: true,
  },
  /** A user's roles, email or state changed: cached principals of that user are stale. */
  'user.changed': { schema: z.object({ userId }), crosses: true },
  /** A role's permissions changed or the role was deleted. */
  'role.changed': { schema: z.object({ roleId: z.string().min(1).max(128) }), crosses: true },
  /** An API token was revoked. */
  'token.revoked': {
    schema: z.object({ tokenId: z.string().min(1).max(128), userId }),
    crosses: true,
  },
  /** An agent's certificate was revoked: its channel closes on whichever replica holds it. */
  [AGENT_REVOKED]: {
    schema: z.object({ agentId: z.string().min(1), serial: z.string().nullable() }),
    crosses: true,
  },
  /** An agent was deleted (its certificates are on the CRL). */
  [AGENT_DELETED]: { schema: z.object({ agentId: z.string().min(1) }), crosses: true },
  /** The CRL or the listener's certificate changed on this replica: the listener reloads. */
  [AGENTS_TLS_CHANGED]: { schema: z.object({}), crosses: false },
  /** An agent's status changed (online, offline, enrolled, revoked). */
  [AGENT_STATUS]: {
    schema: z.object({ agentId: z.string().min(1), status: AgentStatusSchema }),
    crosses: true,
  },
  /** A command for an agent connected to another replica, and its reply. */
  'agent.command.request': { schema: RelayedCommandSchema, crosses: true },
  'agent.command.reply': { schema: RelayedCommandReplySchema, crosses: true },
  /** Lines read on one host, before they are stored: only the replica that read them stores. */
  [LOG_BATCH_EVENT]: {
    schema: z.object({
      agent_id: z.string(),
      lines: z.array(LogLineSchema),
      seq: z.number().int().optional(),
    }),
    crosses: false,
  },
  /** Lines after they are stored, with their ids: the live tail on every replica sends these. */
  'logs.stored': { schema: z.array(LogEntrySchema), crosses: true },
} as const satisfies Record<string, { schema: z.ZodType; crosses: boolean }>;

export type HubEventName = keyof typeof HUB_EVENTS;
export type HubEventPayload<K extends HubEventName> = z.infer<(typeof HUB_EVENTS)[K]['schema']>;

/** Names of the events that cross to other replicas. */
export const CROSSING_EVENTS: ReadonlySet<HubEventName> = new Set(
  (Object.keys(HUB_EVENTS) as HubEventName[]).filter((n) => HUB_EVENTS[n].crosses),
);
