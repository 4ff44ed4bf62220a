import type { Permission, PermissionGrant } from '@tyto/contracts';
import { PERMISSIONS, PERMISSION_RESOURCES, isValidGrant } from '@tyto/contracts';

export interface PermissionGroup {
  resource: string;
  // `alerts:*`: covers the resource's permissions, including ones the catalogue gains later.
  wildcard: PermissionGrant;
  permissions: readonly Permission[];
}

// The catalogue grouped by resource, in catalogue order.
export const PERMISSION_GROUPS: readonly PermissionGroup[] = PERMISSION_RESOURCES.map(
  (resource) => ({
    resource,
    wildcard: `${resource}:*` as const,
    permissions: PERMISSIONS.filter((p) => p.split(':')[0] === resource),
  }),
);

export const EVERYTHING: PermissionGrant = '*';

// Permissions the catalogue already has for features this version of Tyto does not have yet;
// the picker says so rather than suggest they do something. Remove an entry with its feature.
export const NOT_YET_AVAILABLE: ReadonlySet<Permission> = new Set<Permission>([]);

// The smallest grant list that says the same thing, in catalogue order: `*` alone, and a
// resource's wildcard instead of any of its single permissions. A resource whose permissions are
// all picked one by one stays that way: unlike the wildcard, it does not cover permissions the
// catalogue gains later. Grants outside the catalogue are dropped; the hub refuses them.
export function normalizeGrants(grants: readonly string[]): PermissionGrant[] {
  const held = new Set<string>(grants.filter(isValidGrant));
  if (held.has(EVERYTHING)) return [EVERYTHING];
  return PERMISSION_GROUPS.flatMap((group): PermissionGrant[] =>
    held.has(group.wildcard) ? [group.wildcard] : group.permissions.filter((p) => held.has(p)),
  );
}

// The grant list after the picker's checkbox for `grant` was set to `on`.
export function withGrant(
  grants: readonly string[],
  grant: string,
  on: boolean,
): PermissionGrant[] {
  if (grant === EVERYTHING) return on ? [EVERYTHING] : [];
  const rest = grants.filter((g) => g !== grant);
  return normalizeGrants(on ? [...rest, grant] : rest);
}

// What one checkbox of the picker shows.
export interface GrantState {
  checked: boolean;
  // Already covered by a broader grant, so toggling it alone would change nothing.
  implied: boolean;
}

export function grantState(grants: readonly string[], grant: string): GrantState {
  const everything = grants.includes(EVERYTHING);
  if (grant === EVERYTHING) return { checked: everything, implied: false };
  const resource = grant.split(':')[0];
  const wildcard = `${resource}:*`;
  if (grant === wildcard)
    return { checked: everything || grants.includes(grant), implied: everything };
  const implied = everything || grants.includes(wildcard);
  return { checked: implied || grants.includes(grant), implied };
}

// True when single permissions of the resource are picked but not its wildcard; the wildcard's
// checkbox shows that as indeterminate. Even all of them picked one by one is not the wildcard.
export function partlyGranted(grants: readonly string[], group: PermissionGroup): boolean {
  if (grants.includes(EVERYTHING) || grants.includes(group.wildcard)) return false;
  return group.permissions.some((p) => grants.includes(p));
}
