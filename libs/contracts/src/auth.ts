import * as z from 'zod';
import { safeString } from './strings';

export const LoginRequestSchema = z.strictObject({
  /**
   * As typed, in any case. Not held to the local username pattern: a provider's users sign in
   * with their provider's names. Local accounts are looked up by its NFKC form.
   */
  username: safeString().min(1).max(128),
  /**
   * Required for local sign-in (missing or empty: 400 VALIDATION_FAILED, as for any missing
   * field). When the directory checks it (`provider: "ldap"`, or no provider with
   * TYTO_AUTH_DEFAULT_PROVIDER=ldap), a missing, empty or whitespace-only password is a wrong
   * password: 401 INVALID_CREDENTIALS, refused before any bind.
   */
  password: safeString()
    .max(1024)
    .optional()
    .meta({
      description:
        'Required for local sign-in (missing or empty: 400 VALIDATION_FAILED). Checked by the ' +
        'directory, a missing, empty or whitespace-only password is 401 INVALID_CREDENTIALS, ' +
        'refused before any bind.',
    }),
  /**
   * Which sign-in to check the password against. Absent: TYTO_AUTH_DEFAULT_PROVIDER (with `ldap`,
   * local break-glass accounts are still found when the directory does not accept the name).
   */
  provider: z.enum(['local', 'ldap']).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** A login only local accounts check: the password is a required, non-empty field. */
export const LocalLoginRequestSchema = LoginRequestSchema.extend({
  password: safeString().min(1).max(1024),
});

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

/** One way to sign in, as the login page shows it (GET /auth/providers). */
export const AuthProviderInfoSchema = z.object({
  id: z.enum(['local', 'ldap', 'oidc']),
  type: z.enum(['local', 'ldap', 'oidc']),
  /** The label of the directory choice or the "Sign in with …" button. */
  name: z.string().optional(),
  /** Where the browser goes to start an OIDC sign-in. */
  login_url: z.string().optional(),
});
export type AuthProviderInfo = z.infer<typeof AuthProviderInfoSchema>;

export const AuthProvidersResponseSchema = z.object({
  providers: z.array(AuthProviderInfoSchema),
  /** Configured providers that failed their start-up check, with the one-line reason. */
  misconfigured: z.array(z.object({ id: z.enum(['ldap', 'oidc']), error: z.string() })),
});
export type AuthProvidersResponse = z.infer<typeof AuthProvidersResponseSchema>;

/** POST /auth/logout for an OIDC user whose provider can end its own session too. */
export const LogoutResponseSchema = z.object({
  /** The provider's end-session URL: the browser goes there next. */
  logout_url: z.string(),
});
export type LogoutResponse = z.infer<typeof LogoutResponseSchema>;
