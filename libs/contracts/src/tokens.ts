import * as z from 'zod';
import { isoTimeString, safeString } from './strings';
import { PermissionGrantSchema } from './roles';

/** Every API token starts with this, so a scanner (or the hub) tells it from a session token. */
export const API_TOKEN_PREFIX = 'tyto_';

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Grants the token holds; at use they are cut to what its owner still holds. */
  permissions: z.array(z.string()),
  /** Owner of the token (the user who created it). */
  user_id: z.string(),
  username: z.string(),
  /** ISO 8601 UTC. */
  created_at: z.string(),
  /** ISO 8601 UTC; null: never expires. */
  expires_at: z.string().nullable(),
  /** ISO 8601 UTC of the last request made with it (kept within a minute); null: never used. */
  last_used_at: z.string().nullable(),
  /** A revoked token is refused and stays listed for the record. */
  revoked: z.boolean(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const ApiTokenListResponseSchema = z.object({ tokens: z.array(ApiTokenSchema) });
export type ApiTokenListResponse = z.infer<typeof ApiTokenListResponseSchema>;

export const CreateApiTokenRequestSchema = z.strictObject({
  name: safeString().trim().min(1).max(128),
  /** Catalogue permissions or wildcards, each covered by the creator's own grants. */
  permissions: z.array(PermissionGrantSchema).min(1).max(100),
  /** ISO 8601 time in the future; omitted or null: the token does not expire. */
  expires_at: isoTimeString()
    .refine((s) => Date.parse(s) > Date.now(), { error: 'must be in the future' })
    .nullable()
    .optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequestSchema>;

/** The answer to a create: the token's record plus its secret, shown this once only. */
export const CreateApiTokenResponseSchema = ApiTokenSchema.extend({ token: z.string() });
export type CreateApiTokenResponse = z.infer<typeof CreateApiTokenResponseSchema>;
