import * as z from 'zod';
import { safeString } from './strings';

export const LoginRequestSchema = z.strictObject({
  /**
   * As typed, in any case. Not held to the local username pattern: a provider's users sign in
   * with their provider's names. Local accounts are looked up by its NFKC form.
   */
  username: safeString().min(1).max(128),
  password: safeString().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SessionUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
});
export type SessionUser = z.infer<typeof SessionUserSchema>;

export const LoginResponseSchema = z.object({
  token: z.string(),
  user: SessionUserSchema,
  /** Absolute expiry of the session, ISO 8601 UTC. */
  expires_at: z.string(),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MeResponseSchema = SessionUserSchema.extend({
  auth_provider: z.enum(['local', 'ldap', 'oidc']),
  last_login: z.string().nullable(),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  /** Seconds since the hub started. */
  uptime: z.number(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** Name of the HttpOnly session cookie set at login (used by EventSource, which cannot set headers). */
export const SESSION_COOKIE = 'tyto_session';
/**
 * Header a cookie-authenticated write must carry. Browsers cannot add a custom header to a
 * cross-site request without a CORS preflight the hub never grants, so this blocks CSRF.
 */
export const CSRF_HEADER = 'x-tyto-csrf';
