import * as z from 'zod';
import { freeText, safeString } from './strings';

/** The hub's own host: a built-in agent, collected in-process, never deletable or revocable. */
export const LOCAL_AGENT_ID = 'local';

/** Agent ids: lower-case DNS-label-like, 1–63 characters (the CN of the agent's certificate). */
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}$/;

export const AgentIdSchema = safeString().regex(
  AGENT_ID_PATTERN,
  'must match ^[a-z0-9][a-z0-9.-]{0,62}$ (lower case, digits, . and -)',
);

export const AgentNameSchema = safeString().trim().min(1).max(128);

/**
 * `online`: a message within the last 3 sampling intervals; `offline`: enrolled but silent;
 * `pending`: registered, no certificate issued yet; `revoked`: its certificate was revoked.
 */
export const AgentStatusSchema = z.enum(['online', 'offline', 'pending', 'revoked']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const AgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostname: z.string().nullable(),
  status: AgentStatusSchema,
  architecture: z.string().nullable(),
  os: z.string().nullable(),
  /** The agent's own version, from its enrollment or its last hello. */
  version: z.string().nullable(),
  /** ISO 8601 UTC of the last message; null: never connected. */
  last_seen: z.string().nullable(),
  /** ISO 8601 UTC. */
  registered_at: z.string(),
  /** ISO 8601 UTC notAfter of the current certificate; null: none issued. */
  certificate_expires_at: z.string().nullable(),
  /** Serial of the current certificate (lower-case hex); null: none issued. */
  certificate_serial: z.string().nullable(),
  /** ISO 8601 UTC; null: not revoked. */
  revoked_at: z.string().nullable(),
  /** The address the agent last connected or enrolled from. */
  address: z.string().nullable(),
  /** True for `local`, the hub's own host. */
  builtin: z.boolean(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const AgentListResponseSchema = z.object({ agents: z.array(AgentSchema) });
export type AgentListResponse = z.infer<typeof AgentListResponseSchema>;

export const CreateAgentRequestSchema = z.strictObject({
  id: AgentIdSchema,
  name: AgentNameSchema,
});
export type CreateAgentRequest = z.infer<typeof CreateAgentRequestSchema>;

export const CreateAgentResponseSchema = z.object({
  agent: AgentSchema,
  /** One-time enrollment token (shown this once; stored hashed). */
  enrollment_token: z.string(),
  /** ISO 8601 UTC after which the token is refused. */
  expires_at: z.string(),
  /** The one line to paste on the new host. */
  command: z.string(),
});
export type CreateAgentResponse = z.infer<typeof CreateAgentResponseSchema>;

export const PendingEnrollmentSchema = z.object({
  /** The request id (what approve and reject take). */
  id: z.string(),
  agent_id: z.string(),
  name: z.string(),
  hostname: z.string(),
  os: z.string(),
  architecture: z.string(),
  version: z.string(),
  /** Address the request came from. */
  address: z.string().nullable(),
  /** `sha256:<hex>` over the requested public key (SPKI DER), to compare with the agent's log. */
  public_key_fingerprint: z.string(),
  /** ISO 8601 UTC. */
  requested_at: z.string(),
  /** ISO 8601 UTC; the request is dropped after this. */
  expires_at: z.string(),
});
export type PendingEnrollment = z.infer<typeof PendingEnrollmentSchema>;

export const PendingEnrollmentListResponseSchema = z.object({
  pending: z.array(PendingEnrollmentSchema),
});
export type PendingEnrollmentListResponse = z.infer<typeof PendingEnrollmentListResponseSchema>;

/** Answer of approve and reject: the request as decided, and the agent an approval enrolled. */
export const EnrollmentDecisionResponseSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  status: z.enum(['approved', 'rejected']),
  agent: AgentSchema.nullable(),
});
export type EnrollmentDecisionResponse = z.infer<typeof EnrollmentDecisionResponseSchema>;

export const AgentCaResponseSchema = z.object({
  /** `sha256:<64 hex>` over the CA certificate's DER: what `--ca-fingerprint` takes. */
  fingerprint: z.string(),
  /** The CA certificate, PEM. */
  certificate: z.string(),
});
export type AgentCaResponse = z.infer<typeof AgentCaResponseSchema>;

/** `POST /enroll` on the agent listener (no user session): who the agent is, and its CSR. */
export const EnrollmentRequestSchema = z.strictObject({
  id: AgentIdSchema,
  name: AgentNameSchema,
  hostname: safeString().min(1).max(255),
  os: safeString().min(1).max(64),
  architecture: safeString().min(1).max(64),
  version: safeString().min(1).max(64),
  /** PKCS#10, PEM (lines end in LF); only its public key is used. Capped at 16 KiB. */
  csr: freeText()
    .min(1)
    .max(16 * 1024),
  /** The one-time token from `POST /api/v1/agents`: approves at once. */
  token: safeString().min(1).max(256).optional(),
});
export type EnrollmentRequest = z.infer<typeof EnrollmentRequestSchema>;

export const EnrollmentApprovedResponseSchema = z.object({
  status: z.literal('approved'),
  certificate: z.string(),
  ca_certificate: z.string(),
});
export const EnrollmentPendingResponseSchema = z.object({
  status: z.literal('pending'),
  request_id: z.string(),
  poll_after_s: z.number().int(),
});
export const EnrollmentResponseSchema = z.discriminatedUnion('status', [
  EnrollmentApprovedResponseSchema,
  EnrollmentPendingResponseSchema,
]);
export type EnrollmentResponse = z.infer<typeof EnrollmentResponseSchema>;

// ---- bus events (EventEmitter2 names and payloads) ----

/** An agent's certificate was revoked: close its live channel at once, on every replica. */
export const AGENT_REVOKED = 'agent.revoked';
export interface AgentRevokedEvent {
  agentId: string;
  /** Serial of the certificate that was current (lower-case hex); null when none was issued. */
  serial: string | null;
}

/** An agent was deleted (its certificates are on the CRL): close its channel. */
export const AGENT_DELETED = 'agent.deleted';
export interface AgentDeletedEvent {
  agentId: string;
}

/** The CRL or the listener's server certificate changed: reload `AgentsService.tlsMaterial()`. */
export const AGENTS_TLS_CHANGED = 'agents.tls.changed';
export type AgentsTlsChangedEvent = Record<string, never>;

/** An agent's status changed (came online, went offline, enrolled, revoked). */
export const AGENT_STATUS = 'agent.status';
export interface AgentStatusEvent {
  agentId: string;
  status: AgentStatus;
}
