import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { TYTO_CONFIG, type TytoConfig } from '../../common/config';
import { AppError } from '../../common/errors';
import type { OidcSettings } from '../../common/sso-config';
import type { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import {
  acceptedAlgorithms,
  claimLeftOut,
  claimValues,
  headerAlg,
  ID_TOKEN_ALGORITHMS,
} from './oidc-claims';
import { mapRoles } from './sign-in-strategy';

/** A sign-in the browser started: what the callback must match. */
interface Pending {
  codeVerifier: string;
  nonce: string;
  /** sha256 of the random value in the browser's binding cookie. */
  bindingHash: string;
  createdAt: number;
}

/** How long a started sign-in may take at the provider. */
const PENDING_TTL_MS = 10 * 60_000;
/** Bounds memory when sign-ins are started and never finished. */
const MAX_PENDING = 10_000;
const DISCOVERY_TIMEOUT_S = 5;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const refused = (why: string) =>
  new AppError('OIDC_LOGIN_FAILED', `Single sign-on refused: ${why}`);

const hostOf = (url: string): string => (URL.canParse(url) ? new URL(url).host : url);

/**
 * OpenID Connect with openid-client (OpenID certified): authorization code with PKCE (S256),
 * `state` single use and bound to the browser by a cookie, `nonce`, and the ID token's
 * signature checked against the provider's JWKS (`enableNonRepudiationChecks`; by default the
 * library trusts the TLS channel of the token endpoint instead), signed with an algorithm the
 * provider advertises and Tyto accepts (acceptedAlgorithms: RS*, PS*, ES*, EdDSA; never `none`
 * or HS*). Issuer, audience, expiry (30 s tolerance) and nonce are checked by the library.
 */
@Injectable()
export class OidcStrategy {
  private readonly logger = new Logger(OidcStrategy.name);
  private client: oidc.Configuration | null = null;
  /** The ID-token algorithms of this provider Tyto accepts (set with `client`). */
  private algorithms: string[] = [];
  /** Why discovery failed, while it does; reported by GET /auth/providers. */
  private discoveryError: string | null = null;
  private readonly pending = new Map<string, Pending>();

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersService,
  ) {}

  get settings(): OidcSettings | null {
    const c = this.config.oidc;
    return c !== null && 'settings' in c ? c.settings : null;
  }

  /** One line for a configured provider that cannot be used, else null. */
  get problem(): string | null {
    const c = this.config.oidc;
    if (c === null) return null;
    if ('error' in c) return c.error;
    return this.discoveryError;
  }

  /** Discovery at start, so a wrong issuer is reported at once; retried at each sign-in. */
  async discover(): Promise<oidc.Configuration | null> {
    const s = this.settings;
    if (!s) return null;
    if (this.client) return this.client;
    try {
      const issuer = new URL(s.issuer);
      const client = await oidc.discovery(
        issuer,
        s.clientId,
        // No id_token_signed_response_alg: the library then holds the token's `alg` to the
        // provider's advertised list, and complete() to the part of it Tyto accepts.
        { client_secret: s.clientSecret },
        oidc.ClientSecretPost(s.clientSecret),
        {
          timeout: DISCOVERY_TIMEOUT_S,
          // Plain http is accepted for loopback issuers only (sso-config.ts refuses others).
          execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        },
      );
      const advertised = client.serverMetadata().id_token_signing_alg_values_supported;
      const algorithms = acceptedAlgorithms(advertised);
      if (algorithms.length === 0) {
        this.discoveryError =
          `TYTO_OIDC_ISSUER: ${s.issuer} signs ID tokens only with ${(advertised ?? []).join(', ')}; ` +
          `Tyto accepts ${ID_TOKEN_ALGORITHMS.join(', ')}`;
        this.logger.error(`OIDC sign-in is off: ${this.discoveryError}`);
        return null;
      }
      oidc.enableNonRepudiationChecks(client);
      this.client = client;
      this.algorithms = algorithms;
      this.discoveryError = null;
    } catch (e) {
      this.discoveryError = `TYTO_OIDC_ISSUER: discovery at ${s.issuer} failed (${(e as Error).message})`;
      this.logger.error(`OIDC sign-in is off: ${this.discoveryError}`);
    }
    return this.client;
  }

  /** The provider's authorization URL and the browser binding to set as a cookie. */
  async begin(): Promise<{ url: string; binding: string }> {
    const s = this.settings;
    if (!s) throw new AppError('UNKNOWN_PROVIDER', 'OIDC sign-in is not configured');
    const client = await this.discover();
    if (!client) throw new AppError('PROVIDER_UNAVAILABLE', 'The identity provider is unavailable');
    this.prune(Date.now());
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const binding = randomBytes(32).toString('base64url');
    this.pending.set(state, {
      codeVerifier,
      nonce,
      bindingHash: sha256(binding),
      createdAt: Date.now(),
    });
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: s.redirectUri,
      scope: s.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, binding };
  }

  /**
   * Finishes a sign-in from the provider's redirect (`search` is the callback's query string
   * with its `?`): the user it proves, provisioned just in time. 401 OIDC_LOGIN_FAILED for a
   * missing, unknown, reused or foreign state and for any token that fails validation.
   */
  async complete(search: string, binding: string | undefined): Promise<UserEntity> {
    const s = this.settings;
    const client = s ? await this.discover() : null;
    if (!s || !client) throw new AppError('UNKNOWN_PROVIDER', 'OIDC sign-in is not configured');
    const params = new URLSearchParams(search);
    const state = params.get('state');
    if (!state) throw refused('no state');
    const pending = this.pending.get(state);
    // Single use: gone before anything else is checked, so a replay finds nothing.
    this.pending.delete(state);
    if (!pending || Date.now() - pending.createdAt > PENDING_TTL_MS) {
      throw refused('unknown, used or expired state');
    }
    if (!binding || sha256(binding) !== pending.bindingHash) {
      throw refused('the sign-in was started in another browser');
    }
    const error = params.get('error');
    if (error) throw refused(`the provider answered ${error}`);
    let claims: Record<string, unknown>;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(client, new URL(`${s.redirectUri}${search}`), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const found = tokens.claims();
      if (!found || !tokens.id_token) throw new Error('no ID token');
      // The library verified the signature with the key the header names; the algorithm must
      // also be one this provider advertises and Tyto accepts.
      const alg = headerAlg(tokens.id_token);
      if (alg === null || !this.algorithms.includes(alg)) {
        throw new Error(
          `ID token signed with ${alg ?? 'no alg'}, not ${this.algorithms.join('/')}`,
        );
      }
      claims = found as Record<string, unknown>;
    } catch (e) {
      this.logger.warn(`OIDC callback refused: ${(e as Error).message}`);
      throw refused('the ID token or code did not validate');
    }
    const iss = String(claims['iss']);
    const sub = String(claims['sub']);
    const roleValues = claimLeftOut(claims, s.roleClaim)
      ? await this.roleClaimFromUserInfo(client, s, tokens.access_token, sub)
      : claimValues(claims, s.roleClaim);
    const name = [claims['preferred_username'], claims['email'], sub].find(
      (v): v is string => typeof v === 'string' && v.trim() !== '',
    );
    const email = typeof claims['email'] === 'string' ? claims['email'].slice(0, 254) : null;
    return this.users.provisionExternal({
      provider: 'oidc',
      // The same `sub` from another issuer is another person.
      externalId: `${iss}#${sub}`,
      username: name ?? sub,
      // Another issuer's user of the same name (after TYTO_OIDC_ISSUER changed) is told apart.
      fallbackUsername: `${name ?? sub}@${hostOf(iss)}`,
      email,
      providerRoleIds: mapRoles(s.roleMap, roleValues, s.defaultRole),
    });
  }

  /**
   * The role claim of a user whose ID token left it out (claimLeftOut: Entra's group overage),
   * from the UserInfo endpoint when the provider puts it there. Otherwise the groups cannot be
   * read, and the sign-in is refused (403 GROUPS_UNAVAILABLE): taking "no groups" for "unknown
   * groups" would hand out TYTO_OIDC_DEFAULT_ROLE, or NO_ROLE, for the wrong reason. The claim
   * source's own endpoint (Entra: a Graph API URL) is not called: it needs an access token for
   * another API and permissions the sign-in does not have.
   */
  private async roleClaimFromUserInfo(
    client: oidc.Configuration,
    s: OidcSettings,
    accessToken: string,
    sub: string,
  ): Promise<string[]> {
    const unavailable = (why: string): AppError => {
      this.logger.warn(
        `OIDC sign-in of ${sub} refused: the ID token has no '${s.roleClaim}' but a pointer to ` +
          `it elsewhere (Entra ID group overage), and ${why}. Have the provider send fewer ` +
          `groups (Entra: groupMembershipClaims "ApplicationGroup") or app roles ` +
          `(TYTO_OIDC_ROLE_CLAIM=roles).`,
      );
      return new AppError(
        'GROUPS_UNAVAILABLE',
        'Single sign-on worked, but the identity provider did not send your groups',
      );
    };
    if (!client.serverMetadata().userinfo_endpoint) {
      throw unavailable('the provider has no UserInfo endpoint');
    }
    let info: Record<string, unknown>;
    try {
      info = (await oidc.fetchUserInfo(client, accessToken, sub)) as Record<string, unknown>;
    } catch (e) {
      throw unavailable(`UserInfo failed (${(e as Error).message})`);
    }
    const top = s.roleClaim.split('.')[0];
    if (info[top] === undefined || claimLeftOut(info, s.roleClaim)) {
      throw unavailable('UserInfo does not carry it either');
    }
    return claimValues(info, s.roleClaim);
  }

  /** Where to send the browser after a Tyto logout, when the provider has an end-session URL. */
  logoutUrl(): string | null {
    const s = this.settings;
    if (!s || !this.client?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(this.client, {
      client_id: s.clientId,
      post_logout_redirect_uri: `${s.appUrl}login`,
    }).href;
  }

  private prune(now: number): void {
    for (const [state, p] of this.pending) {
      if (now - p.createdAt <= PENDING_TTL_MS && this.pending.size < MAX_PENDING) break;
      this.pending.delete(state);
    }
  }
}
