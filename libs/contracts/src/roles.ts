import * as z from 'zod';
import { hasPermission, isValidGrant, type Permission } from './permissions';
import { freeText, safeString } from './strings';

export const RoleSchema = z.object({
  /** System roles: `admin`, `operator`, `viewer`; custom roles: a slug of the name at creation. */
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** Catalogue permissions, `resource:*` wildcards or `*`. */
  permissions: z.array(z.string()),
  /** System roles cannot be renamed, changed or deleted. */
  is_system: z.boolean(),
});
export type Role = z.infer<typeof RoleSchema>;

export const RoleListResponseSchema = z.object({ roles: z.array(RoleSchema) });
export type RoleListResponse = z.infer<typeof RoleListResponseSchema>;

/** A grant a role may hold; anything outside the catalogue is refused with 400. */
export const PermissionGrantSchema = safeString().refine(isValidGrant, {
  error: (iss) => `unknown permission '${String(iss.input)}'`,
});

const RoleNameSchema = safeString().trim().min(1).max(128);
/** Free text: tab and line feed allowed, other control characters not. */
const RoleDescriptionSchema = freeText().trim().max(512);
const GrantListSchema = z.array(PermissionGrantSchema).max(100);

export const CreateRoleRequestSchema = z.strictObject({
  name: RoleNameSchema,
  description: RoleDescriptionSchema.default(''),
  permissions: GrantListSchema,
});
export type CreateRoleRequest = z.infer<typeof CreateRoleRequestSchema>;

export const UpdateRoleRequestSchema = z.strictObject({
  name: RoleNameSchema.optional(),
  description: RoleDescriptionSchema.optional(),
  permissions: GrantListSchema.optional(),
});
export type UpdateRoleRequest = z.infer<typeof UpdateRoleRequestSchema>;

export const DeleteRoleQuerySchema = z.strictObject({
  /** Role that every holder of the deleted role receives instead; needed when it is in use. */
  reassign_to: safeString().min(1).max(64).optional(),
});
export type DeleteRoleQuery = z.infer<typeof DeleteRoleQuerySchema>;

/**
 * True when someone holding `held` may hand out `grant`: nobody grants more than they have, so
 * a role or user manager cannot raise anyone (themselves included) above their own level.
 */
export function grantCovered(held: readonly string[], grant: string): boolean {
  if (held.includes('*')) return true;
  if (grant === '*') return false;
  // A wildcard also covers permissions added to the catalogue later, so only the same wildcard
  // covers it, not the resource's current permissions held one by one.
  if (grant.endsWith(':*')) return held.includes(grant);
  return isValidGrant(grant) && hasPermission(held, grant as Permission);
}

/** The grants of `wanted` that `held` does not cover. */
export const uncoveredGrants = (held: readonly string[], wanted: readonly string[]): string[] =>
  wanted.filter((g) => !grantCovered(held, g));
