import { Inject, Injectable } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../../common/config';
import { AppError } from '../../common/errors';
import { normalizeDn } from '../../common/sso-config';
import type { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { LdapDirectory } from './ldap-directory';
import { mapRoles, type PasswordStrategy } from './sign-in-strategy';

/** LDAP / Active Directory: the directory checks the password, its groups give the roles. */
@Injectable()
export class LdapStrategy implements PasswordStrategy {
  readonly id = 'ldap';

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly directory: LdapDirectory,
    private readonly users: UsersService,
  ) {}

  get configured(): boolean {
    return this.config.ldap !== null;
  }

  async verify(username: string, password: string): Promise<UserEntity> {
    const ldap = this.config.ldap;
    if (ldap === null) throw new AppError('UNKNOWN_PROVIDER', 'LDAP sign-in is not configured');
    // Refused before any connection: an empty password is an anonymous ("unauthenticated") bind
    // that many servers accept (RFC 4513 5.1.2), which would let anyone in. A wrong password,
    // whatever the state of the directory. (`trim` also takes U+00A0 and the other Unicode spaces.)
    if (password.trim() === '' || username.trim() === '') {
      throw new AppError('INVALID_CREDENTIALS', 'Invalid username or password');
    }
    if ('error' in ldap) {
      throw new AppError('DIRECTORY_UNAVAILABLE', 'The directory sign-in is misconfigured');
    }
    const s = ldap.settings;
    const found = await this.directory.authenticate(s, username.trim(), password);
    if (!found) throw new AppError('INVALID_CREDENTIALS', 'Invalid username or password');
    return this.users.provisionExternal({
      provider: 'ldap',
      externalId: found.externalId,
      username: found.username,
      email: found.email,
      providerRoleIds: mapRoles(s.roleMap, found.groups.map(normalizeDn), s.defaultRole),
    });
  }
}
