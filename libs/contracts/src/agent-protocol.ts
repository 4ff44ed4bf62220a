import * as z from 'zod';
import { LogLineSchema } from './logs';
import { MetricsSnapshotSchema } from './metrics';
import { ProcessDetailSchema, ProcessInfoSchema, SIGNAL_NAMES, type SignalName } from './processes';
import { isoTimeString, safeString } from './strings';

/**
 * The hub ↔ agent channel: JSON text frames over one mutual-TLS WebSocket (`GET /channel` on the
 * agent listener). Every frame is one of the messages below, told apart by `type`. The agent id is
 * never part of a message: the hub takes it from the client certificate's CN, so a body cannot
 * speak for another agent (a sample's own `agent_id` is overwritten on ingest).
 */

/** Bumped on an incompatible change; the hub closes a channel whose hello carries another. */
export const AGENT_PROTOCOL_VERSION = 1;

/** WebSocket close codes the hub uses (4000–4999 is the application range). */
export const AGENT_CLOSE = {
  /** Another channel of the same agent took over. */
  REPLACED: 4001,
  /** The certificate was revoked while connected. */
  REVOKED: 4003,
  /** Bad hello, protocol version, or message. */
  PROTOCOL: 4002,
  /** The hub is shutting down. */
  SHUTDOWN: 4004,
} as const;

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const correlationId = safeString().min(1).max(64);

/** A sample with the agent's own sequence number, assigned once when it was taken. */
export const AgentSampleSchema = z.object({
  seq,
  sample: MetricsSnapshotSchema,
});

// ---- agent → hub ----

/** First frame on every channel. */
export const HelloMessageSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  version: safeString().max(64),
  hostname: safeString().max(255),
  os: safeString().max(255),
  architecture: safeString().max(64),
  /** Seconds between samples the agent uses now. */
  interval: z.number().int().min(1).max(3600),
  /** Samples dropped from the on-disk buffer (cap reached) since the agent's state dir was made. */
  dropped: z.number().int().min(0),
  /** Samples waiting in the buffer, about to be back-filled. */
  buffered: z.number().int().min(0),
  /** The certificate's notAfter as the agent sees it (ISO 8601). */
  certificate_expires_at: safeString().max(40).optional(),
  /**
   * Log batches dropped from the agent's log buffer (cap reached), ever. Present only on agents
   * that ship logs: the hub answers those with a `logs_ack`.
   */
  logs_dropped: z.number().int().min(0).optional(),
  /** Log batches waiting in the buffer, about to be back-filled. */
  logs_buffered: z.number().int().min(0).optional(),
});

/** One live sample. */
export const SampleMessageSchema = z.object({
  type: z.literal('sample'),
  ...AgentSampleSchema.shape,
});

/** Back-filled samples from the buffer, oldest first; sequence numbers strictly increasing. */
export const SampleBatchMessageSchema = z.object({
  type: z.literal('samples'),
  samples: z.array(AgentSampleSchema).min(1).max(500),
});

/** Lines per log batch, at most (the readers hand over at most this many at a time). */
export const LOG_BATCH_MAX_LINES = 1000;
/**
 * A `logs` frame's size cap, bytes of JSON: the agent packs batches into frames up to this size
 * (one batch alone may reach it: 1000 lines, or fewer long ones); the hub drops a bigger frame.
 */
export const LOG_FRAME_MAX_BYTES = 2 * 1024 * 1024;

/** Log lines read on the agent's host, with the sequence number the agent's log buffer gave them. */
export const AgentLogBatchSchema = z.object({
  seq,
  lines: z.array(LogLineSchema).min(1).max(LOG_BATCH_MAX_LINES),
});

/**
 * Log batches, oldest first, sequence numbers strictly increasing (their own sequence, apart
 * from the samples'). Live and back-filled batches travel alike; the hub stores each sequence
 * number once and answers `logs_ack` once they are stored.
 */
export const LogBatchMessageSchema = z.object({
  type: z.literal('logs'),
  batches: z.array(AgentLogBatchSchema).min(1).max(100),
});

/** Either side, every 15 s; the other side answers nothing (the WebSocket ping keeps TCP honest). */
export const HeartbeatMessageSchema = z.object({
  type: z.literal('heartbeat'),
  /** Sender's clock, ISO 8601. */
  at: safeString().max(40),
});

/** The answer to a command; `id` is the command's. */
export const CommandReplyMessageSchema = z.object({
  type: z.literal('reply'),
  id: correlationId,
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: safeString().max(64), message: z.string().max(2000) }).optional(),
});

/** The agent asks for a new certificate for a fresh key (at 2/3 of its validity). */
export const RenewMessageSchema = z.object({
  type: z.literal('renew'),
  id: correlationId,
  csr: z.string().max(16 * 1024),
});

export const AgentToHubMessageSchema = z.discriminatedUnion('type', [
  HelloMessageSchema,
  SampleMessageSchema,
  SampleBatchMessageSchema,
  LogBatchMessageSchema,
  HeartbeatMessageSchema,
  CommandReplyMessageSchema,
  RenewMessageSchema,
]);

// ---- hub → agent ----

/** Sent after the hello and whenever a setting changes. */
export const SettingsMessageSchema = z.object({
  type: z.literal('settings'),
  interval: z.number().int().min(1).max(3600),
});

/** Everything up to `seq` is stored: the agent may forget it. */
export const AckMessageSchema = z.object({
  type: z.literal('ack'),
  seq: z.number().int().min(0),
});

/** Every log batch up to `seq` is stored: the agent may forget them. */
export const LogAckMessageSchema = z.object({
  type: z.literal('logs_ack'),
  seq: z.number().int().min(0),
});

/**
 * A command with a correlation id; the agent answers with a `reply` of the same id. `set_interval`
 * takes `{interval}`; `ping` answers `{pong: true}`; the process commands are AGENT_COMMANDS
 * below; an agent answers an unknown one with `ok: false, error.code: UNKNOWN_COMMAND`.
 */
export const CommandMessageSchema = z.object({
  type: z.literal('command'),
  id: correlationId,
  name: safeString().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
});

/** The hub's answer to `renew`. */
export const RenewedMessageSchema = z.object({
  type: z.literal('renewed'),
  id: correlationId,
  ok: z.boolean(),
  certificate: z
    .string()
    .max(16 * 1024)
    .optional(),
  error: z.object({ code: safeString().max(64), message: z.string().max(2000) }).optional(),
});

export const HubToAgentMessageSchema = z.discriminatedUnion('type', [
  SettingsMessageSchema,
  AckMessageSchema,
  LogAckMessageSchema,
  CommandMessageSchema,
  RenewedMessageSchema,
  HeartbeatMessageSchema,
]);

// ---- commands (hub → agent `command`, agent → hub `reply`) ----

/**
 * Command names beyond `set_interval` and `ping`, each with its params and result schema below.
 * The agent validates the params itself and repeats every safety check (it never trusts the hub).
 */
export const AGENT_COMMANDS = {
  /** `{}` → `{processes}`: every process of the agent's host. */
  PROCESS_LIST: 'process.list',
  /** `{pid}` → `{process}`, null when it is gone. */
  PROCESS_DETAIL: 'process.detail',
  /** `{pid, signal, start_time?}` → a SignalOutcome (sent, or why not). */
  PROCESS_SIGNAL: 'process.signal',
} as const;

/** Error codes an agent answers a command with (`reply.error.code`). */
export const AGENT_COMMAND_ERRORS = {
  /** The params do not match the command's schema. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The agent does not know the command (an older agent). */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** The agent failed while running it. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

const commandPid = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);

export const ProcessListParamsSchema = z.strictObject({});
export const ProcessListResultSchema = z.object({ processes: z.array(ProcessInfoSchema) });

export const ProcessDetailParamsSchema = z.strictObject({ pid: commandPid });
export const ProcessDetailResultSchema = z.object({
  process: ProcessDetailSchema.omit({ agent_id: true }).nullable(),
});

/**
 * Any integer pid passes the schema: 0, 1, negatives and the agent's own pid are refused by the
 * agent's process table as `protected`, so a bypassed hub check still sends nothing.
 */
export const ProcessSignalParamsSchema = z.strictObject({
  pid: commandPid,
  signal: z.enum(SIGNAL_NAMES as [SignalName, ...SignalName[]]),
  start_time: isoTimeString().optional(),
});

/** Whether the signal was sent; a refusal says why (the hub maps each reason to its error). */
export const SignalOutcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), name: z.string(), startTime: z.string() }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['protected', 'not_found', 'changed', 'permission']),
    name: z.string().optional(),
  }),
]);

export type ProcessListParams = z.infer<typeof ProcessListParamsSchema>;
export type ProcessListResult = z.infer<typeof ProcessListResultSchema>;
export type ProcessDetailParams = z.infer<typeof ProcessDetailParamsSchema>;
export type ProcessDetailResult = z.infer<typeof ProcessDetailResultSchema>;
export type ProcessSignalParams = z.infer<typeof ProcessSignalParamsSchema>;
export type SignalOutcomeResult = z.infer<typeof SignalOutcomeSchema>;

export type AgentSample = z.infer<typeof AgentSampleSchema>;
export type HelloMessage = z.infer<typeof HelloMessageSchema>;
export type SampleMessage = z.infer<typeof SampleMessageSchema>;
export type SampleBatchMessage = z.infer<typeof SampleBatchMessageSchema>;
export type AgentLogBatch = z.infer<typeof AgentLogBatchSchema>;
export type LogBatchMessage = z.infer<typeof LogBatchMessageSchema>;
export type LogAckMessage = z.infer<typeof LogAckMessageSchema>;
export type HeartbeatMessage = z.infer<typeof HeartbeatMessageSchema>;
export type CommandReplyMessage = z.infer<typeof CommandReplyMessageSchema>;
export type RenewMessage = z.infer<typeof RenewMessageSchema>;
export type AgentToHubMessage = z.infer<typeof AgentToHubMessageSchema>;
export type SettingsMessage = z.infer<typeof SettingsMessageSchema>;
export type AckMessage = z.infer<typeof AckMessageSchema>;
export type CommandMessage = z.infer<typeof CommandMessageSchema>;
export type RenewedMessage = z.infer<typeof RenewedMessageSchema>;
export type HubToAgentMessage = z.infer<typeof HubToAgentMessageSchema>;

/** Parses one text frame; null for anything that is not valid JSON of a known message. */
export function parseAgentMessage(text: string): AgentToHubMessage | null {
  return parseWith(AgentToHubMessageSchema, text);
}

export function parseHubMessage(text: string): HubToAgentMessage | null {
  return parseWith(HubToAgentMessageSchema, text);
}

function parseWith<T>(schema: z.ZodType<T>, text: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const r = schema.safeParse(json);
  return r.success ? r.data : null;
}
