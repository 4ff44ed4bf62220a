import * as z from 'zod';
import { isoTimeString, safeString } from './strings';

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One write to the hub: who, what, on what, from where, when, and how it ended. */
export const AuditEntrySchema = z.object({
  /** Increasing with insertion order. */
  id: z.number().int(),
  /** ISO 8601 UTC. */
  timestamp: z.string(),
  /** Null when nobody was signed in (a failed login of an unknown user has only the name). */
  actor_id: z.string().nullable(),
  /** For logins, the username that was tried. */
  actor_username: z.string().nullable(),
  /** `user.create`, `auth.login`, … or `METHOD /route/:param` for writes without a name. */
  action: z.string(),
  /** The object acted on (a user or role id), null when there is none. */
  target: z.string().nullable(),
  /** Client address (honours TYTO_TRUST_PROXY). */
  ip: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  /** HTTP status of the answer. */
  status: z.number().int(),
  /** Action-specific facts and, on failure, the error `code`. Never secrets. */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

const IsoTimeSchema = isoTimeString();

export const AuditQuerySchema = z
  .strictObject({
    /** Actor id or username (case-insensitive). */
    actor: safeString().min(1).max(128).optional(),
    /** Exact action, or a prefix ending in `*` (`user.*`). */
    action: safeString().min(1).max(128).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    /** Inclusive bounds, ISO 8601. */
    from: IsoTimeSchema.optional(),
    to: IsoTimeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: "'from' must not be after 'to'",
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** Newest first; `total` counts every entry matching the filters. */
export const AuditListResponseSchema = z.object({
  entries: z.array(AuditEntrySchema),
  total: z.number().int(),
});
export type AuditListResponse = z.infer<typeof AuditListResponseSchema>;
