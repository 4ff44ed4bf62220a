import * as z from 'zod';
import { emailString, safeString } from './strings';

/**
 * What a local username may hold once NFKC-normalised and lower-cased: ASCII letters and digits,
 * then also `. _ @ -`, 1–128 characters. Look-alikes (`admın` with a dotless i, `аdmin` with a
 * Cyrillic а) are refused; compatibility forms are folded first (fullwidth `ａｄｍｉｎ` is `admin`).
 */
export const LOCAL_USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,127}$/;

/**
 * The form a typed username is stored and looked up in for local accounts (NFKC); uniqueness and
 * sign-in then ignore case on top of it.
 */
export const normalizeLocalUsername = (username: string): string => username.normalize('NFKC');

/**
 * A username for a new local account (admin creation, self-registration): trimmed, NFKC-folded,
 * then restricted to LOCAL_USERNAME_PATTERN (case is kept for display). Names from an external
 * provider are not held to it.
 */
export const LocalUsernameSchema = safeString()
  .trim()
  .transform(normalizeLocalUsername)
  .pipe(
    z
      .string()
      .min(1)
      .max(128)
      .refine(
        (s) => LOCAL_USERNAME_PATTERN.test(s.toLowerCase()),
        'may contain only letters a-z, digits and . _ @ -, and must start with a letter or digit',
      ),
  );

export const EmailSchema = emailString();

/**
 * Bounds only: the minimum length is the hub's policy (TYTO_PASSWORD_MIN_LENGTH, answered with
 * WEAK_PASSWORD); the maximum keeps hashing cost bounded.
 */
export const PasswordSchema = safeString().min(1).max(1024);

export const AuthProviderSchema = z.enum(['local', 'ldap', 'oidc']);
export type AuthProvider = z.infer<typeof AuthProviderSchema>;

/** A role id as sent in `roles` arrays (`admin`, `alert-manager`). */
export const RoleIdSchema = safeString().min(1).max(64);

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  /** Role ids. */
  roles: z.array(z.string()),
  auth_provider: AuthProviderSchema,
  /**
   * The roles among `roles` that came from the provider's groups or claims at the last sign-in
   * (re-computed at every sign-in); the others were pinned by an administrator. `[]` for local.
   */
  provider_roles: z.array(z.string()),
  /** A disabled user cannot sign in and has no sessions. */
  disabled: z.boolean(),
  /** ISO 8601 UTC. */
  created_at: z.string(),
  /** ISO 8601 UTC, null before the first sign-in. */
  last_login: z.string().nullable(),
});
export type User = z.infer<typeof UserSchema>;

export const UserListResponseSchema = z.object({ users: z.array(UserSchema) });
export type UserListResponse = z.infer<typeof UserListResponseSchema>;

export const CreateUserRequestSchema = z.strictObject({
  username: LocalUsernameSchema,
  password: PasswordSchema,
  email: EmailSchema.nullable().optional(),
  /** Role ids; `["viewer"]` when omitted. */
  roles: z.array(RoleIdSchema).max(64).default(['viewer']),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

/** Every field optional; `disabled: false` re-enables a disabled user. */
export const UpdateUserRequestSchema = z.strictObject({
  email: EmailSchema.nullable().optional(),
  roles: z.array(RoleIdSchema).max(64).optional(),
  disabled: z.boolean().optional(),
});
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const ResetPasswordRequestSchema = z.strictObject({ new_password: PasswordSchema });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;

export const RegisterRequestSchema = z.strictObject({
  username: LocalUsernameSchema,
  password: PasswordSchema,
  email: EmailSchema.nullable().optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const UpdateMeRequestSchema = z.strictObject({ email: EmailSchema.nullable().optional() });
export type UpdateMeRequest = z.infer<typeof UpdateMeRequestSchema>;

export const ChangePasswordRequestSchema = z.strictObject({
  current_password: PasswordSchema,
  new_password: PasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;
