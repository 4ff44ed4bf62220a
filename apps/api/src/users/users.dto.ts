import type { User } from '@tyto/contracts';
import type { UserEntity } from './user.entity';

/** The REST shape of a user: never the password hash. */
export function toUser(u: UserEntity): User {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    roles: u.roles.map((r) => r.id).sort(),
    auth_provider: u.authProvider,
    provider_roles: [...(u.providerRoles ?? [])].sort(),
    disabled: u.disabled,
    created_at: u.createdAt,
    last_login: u.lastLogin,
  };
}
