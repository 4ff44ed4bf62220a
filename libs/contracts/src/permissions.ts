/**
 * The permission catalogue. Every hub route declares one of these (or is public); the guard and
 * the web app both check against these constants. A role grants exact permissions, a resource
 * wildcard (`alerts:*`) or everything (`*`).
 */
export const PERMISSIONS = [
  'dashboard:view',
  'metrics:export',
  'metrics:scrape',
  'processes:view',
  'processes:signal',
  'alerts:view',
  'alerts:manage',
  'alerts:acknowledge',
  'logs:view',
  'agents:view',
  'agents:manage',
  'users:view',
  'users:manage',
  'roles:manage',
  'settings:manage',
  'audit:view',
  'tokens:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What a role may hold: a catalogue permission, `resource:*`, or `*`. */
export type PermissionGrant = Permission | `${string}:*` | '*';

export const PERMISSION_RESOURCES = [...new Set(PERMISSIONS.map((p) => p.split(':')[0]))];

/** True when the grant string is in the catalogue or is a wildcard over a known resource. */
export function isValidGrant(grant: string): grant is PermissionGrant {
  if (grant === '*') return true;
  if (grant.endsWith(':*')) return PERMISSION_RESOURCES.includes(grant.slice(0, -2));
  return (PERMISSIONS as readonly string[]).includes(grant);
}

/** True when any of `grants` covers `required`. */
export function hasPermission(grants: readonly string[], required: Permission): boolean {
  const resource = required.split(':')[0];
  return grants.some((g) => g === '*' || g === required || g === `${resource}:*`);
}

export const SYSTEM_ROLES = ['admin', 'operator', 'viewer'] as const;
export type SystemRoleId = (typeof SYSTEM_ROLES)[number];

/** The system roles seeded on first start; they cannot be renamed or deleted. */
export const SYSTEM_ROLE_DEFINITIONS: Record<
  SystemRoleId,
  { name: string; description: string; permissions: PermissionGrant[] }
> = {
  admin: { name: 'Administrator', description: 'Full system access', permissions: ['*'] },
  operator: {
    name: 'Operator',
    description: 'Watches every host: dashboards, history, export and processes',
    permissions: [
      'dashboard:view',
      'metrics:export',
      'processes:view',
      'processes:signal',
      'alerts:view',
      'alerts:manage',
      'alerts:acknowledge',
      'logs:view',
      'agents:view',
      'agents:manage',
    ],
  },
  viewer: {
    name: 'Viewer',
    description: 'Read-only access to dashboards, history and processes',
    permissions: ['dashboard:view', 'processes:view', 'alerts:view', 'logs:view', 'agents:view'],
  },
};
