import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AuthProvidersResponse } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { OidcStrategy } from './strategies/oidc.strategy';

/** What the login page offers, and the one-line report of a provider that cannot be used. */
@Injectable()
export class AuthProvidersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthProvidersService.name);

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly oidc: OidcStrategy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ldap = this.config.ldap;
    if (ldap !== null && 'error' in ldap) {
      this.logger.error(`LDAP sign-in is off (local sign-in still works): ${ldap.error}`);
    }
    const oidc = this.config.oidc;
    if (oidc !== null && 'error' in oidc) {
      this.logger.error(`OIDC sign-in is off (local sign-in still works): ${oidc.error}`);
    }
    // Logs its own line when the issuer does not answer; sign-in retries it.
    await this.oidc.discover();
  }

  list(): AuthProvidersResponse {
    const res: AuthProvidersResponse = {
      providers: [{ id: 'local', type: 'local' }],
      misconfigured: [],
    };
    const ldap = this.config.ldap;
    if (ldap !== null) {
      if ('settings' in ldap) {
        res.providers.push({ id: 'ldap', type: 'ldap', name: ldap.settings.displayName });
      } else res.misconfigured.push({ id: 'ldap', error: ldap.error });
    }
    const oidcProblem = this.oidc.problem;
    const oidc = this.oidc.settings;
    if (oidcProblem !== null) res.misconfigured.push({ id: 'oidc', error: oidcProblem });
    else if (oidc) {
      res.providers.push({
        id: 'oidc',
        type: 'oidc',
        name: oidc.displayName,
        login_url: '/api/v1/auth/oidc/login',
      });
    }
    return res;
  }
}
