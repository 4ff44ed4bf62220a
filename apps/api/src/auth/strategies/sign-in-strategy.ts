import type { UserEntity } from '../../users/user.entity';

/**
 * The seam every password sign-in goes through: a strategy turns a name and a password into the
 * user they prove (provisioning provider users just in time), or throws an AppError —
 * INVALID_CREDENTIALS for a wrong name or password, DIRECTORY_UNAVAILABLE when it cannot tell.
 * It never opens a session: AuthService.openSession is the one place that does, for OIDC too.
 */
export interface PasswordStrategy {
  readonly id: 'local' | 'ldap';
  verify(username: string, password: string): Promise<UserEntity>;
}

/** Role ids for a set of groups or claim values, through a mapping and an optional default. */
export function mapRoles(
  map: ReadonlyMap<string, readonly string[]>,
  values: readonly string[],
  defaultRole: string | null,
): string[] {
  const roles = new Set<string>();
  for (const v of values) for (const r of map.get(v) ?? []) roles.add(r);
  if (roles.size === 0 && defaultRole !== null) roles.add(defaultRole);
  return [...roles].sort();
}
