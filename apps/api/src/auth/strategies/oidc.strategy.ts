import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { TYTO_CONFIG, type TytoConfig } from '../../common/config';
import { AppError } from '../../common/errors';
import type { OidcSettings } from '../../common/sso-config';
import type { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
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

/** The value at a dotted path of the claims (`realm_access.roles`), as a list of strings. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let v: unknown = claims;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return [];
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * OpenID Connect with openid-client (OpenID certified): authorization code with PKCE (S256),
 * `state` single use and bound to the browser by a cookie, `nonce`, and the ID token's
 * signature checked against the provider's JWKS (`enableNonRepudiationChecks`; by default the
 * library trusts the TLS channel of the token endpoint instead), with the algorithm pinned to
 * RS256 so neither `none` nor HS256 signed with a public key passes. Issuer, audience, expiry
 * (30 s tolerance) and nonce are checked by the library.
 */
@Injectable()
export class OidcStrategy {
  private readonly logger = new Logger(OidcStrategy.name);
  private client: oidc.Configuration | null = null;
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
      this.client = await oidc.discovery(
        issuer,
        s.clientId,
        { client_secret: s.clientSecret, id_token_signed_response_alg: 'RS256' },
        oidc.ClientSecretPost(s.clientSecret),
        {
          timeout: DISCOVERY_TIMEOUT_S,
          // Plain http is accepted for loopback issuers only (sso-config.ts refuses others).
          execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        },
      );
      oidc.enableNonRepudiationChecks(this.client);
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
    try {
      const tokens = await oidc.authorizationCodeGrant(
        client,
        new URL(`${s.redirectUri}${search}`),
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
      const found = tokens.claims();
      if (!found) throw new Error('no ID token');
      claims = found as Record<string, unknown>;
    } catch (e) {
      this.logger.warn(`OIDC callback refused: ${(e as Error).message}`);
      throw refused('the ID token or code did not validate');
    }
    const iss = String(claims['iss']);
    const sub = String(claims['sub']);
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
      providerRoleIds: mapRoles(s.roleMap, claimValues(claims, s.roleClaim), s.defaultRole),
    });
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
