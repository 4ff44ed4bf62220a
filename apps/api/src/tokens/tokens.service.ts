import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import {
  API_TOKEN_PREFIX,
  hasPermission,
  PERMISSIONS,
  uncoveredGrants,
  type ApiToken,
  type ApiTokenListResponse,
  type CreateApiTokenRequest,
  type CreateApiTokenResponse,
} from '@tyto/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AUTH_SESSIONS_CHANGED, type AuthSessionsChangedEvent } from '../auth/auth.events';
import { PrincipalCache } from '../auth/principal-cache';
import { BatchedTimes } from '../common/batched-times';
import { forbidden, notFound } from '../common/errors';
import type { Principal } from '../common/principal';
import { ROLE_CHANGED } from '../roles/roles.events';
import { RolesService } from '../roles/roles.service';
import {
  USER_CHANGED,
  USER_SESSIONS_END,
  type UserChangedEvent,
  type UserSessionsEndEvent,
} from '../users/users.events';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensRepository } from './api-tokens.repository';
import { TOKEN_REVOKED, type TokenRevokedEvent } from './tokens.events';

/** A token principal's session id: never a session's (those are UUIDs), so session ops skip it. */
export const TOKEN_SESSION_PREFIX = 'token:';
/** What a token principal carries as its end when the token never expires. */
const NEVER = '9999-12-31T23:59:59.999Z';
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_TTL_MS = 10_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * API tokens (service accounts): long-lived bearer tokens for scripts and scrapers, each holding
 * a subset of its owner's grants. Like sessions they are stored hashed and their principals are
 * cached per token hash; unlike sessions they never idle out and survive a password change.
 */
@Injectable()
export class TokensService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokensService.name);
  private readonly cache = new PrincipalCache(CACHE_MAX_ENTRIES, CACHE_TTL_MS);
  /** Token id → last use (epoch ms) not yet written back. */
  private readonly unsavedUse = new BatchedTimes(
    'token last-used times',
    (batch) => this.tokens.touchMany(batch),
    TokensService.name,
  );

  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly bus: HubBus,
  ) {}

  onModuleInit(): void {
    this.unsavedUse.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsavedUse.stop();
  }

  /** Issues a token holding at most the creator's own grants; its secret is in this answer only. */
  async create(p: Principal, body: CreateApiTokenRequest): Promise<CreateApiTokenResponse> {
    requireSession(p);
    const missing = uncoveredGrants(p.grants, body.permissions);
    if (missing.length) {
      throw forbidden('Cannot give a token permissions you do not hold', { missing });
    }
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const entity = Object.assign(new ApiTokenEntity(), {
      id: randomUUID(),
      userId: p.userId,
      name: body.name,
      tokenHash: hashToken(token),
      permissions: [...new Set(body.permissions)],
      createdAt: new Date().toISOString(),
      expiresAt: body.expires_at ? new Date(body.expires_at).toISOString() : null,
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.tokens.save(entity);
    return { ...this.toApiToken(entity, p.username), token };
  }

  /** The caller's own tokens, or everyone's (the admin view). */
  async list(p: Principal, all = false): Promise<ApiTokenListResponse> {
    requireSession(p);
    const rows = await this.tokens.list(all ? undefined : p.userId);
    return { tokens: rows.map((t) => this.toApiToken(t, t.user?.username ?? '')) };
  }

  /**
   * Revokes a token at once, everywhere: the caller's own, or anyone's with `asAdmin`. Someone
   * else's token is "not found" to a caller without the admin view. Revoking twice is a no-op.
   */
  async revoke(p: Principal, id: string, asAdmin = false): Promise<ApiToken> {
    requireSession(p);
    const token = await this.tokens.findById(id);
    if (!token || (!asAdmin && token.userId !== p.userId)) throw notFound('API token');
    const now = new Date().toISOString();
    if (await this.tokens.revoke(id, now)) {
      token.revokedAt = now;
      // Every replica (this one included) drops the principal and re-checks its streams.
      this.bus.publish(TOKEN_REVOKED, {
        tokenId: id,
        userId: token.userId,
      } satisfies TokenRevokedEvent);
    }
    return this.toApiToken(token, token.user?.username ?? '');
  }

  /**
   * The principal behind an API token, or null when it is unknown, revoked, expired or its owner
   * disabled. Its grants are the token's cut to the owner's current ones, so a demoted owner's
   * tokens lose what the owner lost.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const tokenHash = hashToken(token);
    const now = Date.now();
    let entry = this.cache.get(tokenHash, now);
    if (!entry) {
      const row = await this.tokens.findByTokenHash(tokenHash);
      const principal = row ? toPrincipal(row, now) : null;
      if (!principal) return null;
      entry = {
        principal,
        expiresAt: Date.parse(principal.expiresAt),
        lastSeenAt: now,
        loadedAt: now,
      };
      this.cache.set(tokenHash, entry);
    }
    if (entry.expiresAt <= now) {
      this.cache.delete(tokenHash);
      return null;
    }
    const tokenId = entry.principal.tokenId;
    if (tokenId) this.unsavedUse.set(tokenId, now);
    return entry.principal;
  }

  /** Re-reads a token principal bypassing the cache (open streams after a change). */
  async revalidate(sessionId: string): Promise<Principal | null> {
    const row = await this.tokens.findById(sessionId.slice(TOKEN_SESSION_PREFIX.length));
    return row ? toPrincipal(row, Date.now()) : null;
  }

  /** An open stream counts as use of its token. */
  markUsed(sessionId: string, at = Date.now()): void {
    this.unsavedUse.set(sessionId.slice(TOKEN_SESSION_PREFIX.length), at);
  }

  @OnHubEvent(TOKEN_REVOKED)
  onRevoked(event: TokenRevokedEvent): void {
    this.cache.dropSession(TOKEN_SESSION_PREFIX + event.tokenId);
    this.bus.publish(AUTH_SESSIONS_CHANGED, {
      userId: event.userId,
    } satisfies AuthSessionsChangedEvent);
  }

  // A disabled user's sessions end through USER_SESSIONS_END: their tokens go with them.
  @OnHubEvent(USER_SESSIONS_END)
  onSessionsEnd(event: UserSessionsEndEvent): void {
    this.cache.dropUser(event.userId);
  }

  @OnHubEvent(USER_CHANGED)
  onUserChanged(event: UserChangedEvent): void {
    this.cache.dropUser(event.userId);
  }

  @OnHubEvent(ROLE_CHANGED)
  onRoleChanged(): void {
    this.cache.dropUser();
  }

  private toApiToken(t: ApiTokenEntity, username: string): ApiToken {
    const unsaved = this.unsavedUse.get(t.id);
    return {
      id: t.id,
      name: t.name,
      permissions: t.permissions,
      user_id: t.userId,
      username,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
      last_used_at: unsaved ? new Date(unsaved).toISOString() : t.lastUsedAt,
      revoked: t.revokedAt !== null,
    };
  }
}

/** A token cannot mint, list or revoke tokens: a leaked one cannot entrench itself. */
function requireSession(p: Principal): void {
  if (p.tokenId) throw forbidden('Managing API tokens needs a signed-in session, not a token');
}

/** The usable principal of a token row, or null when it may not be used now. */
function toPrincipal(row: ApiTokenEntity, now: number): Principal | null {
  const user = row.user;
  if (!user || user.disabled || row.revokedAt !== null) return null;
  if (row.expiresAt !== null && Date.parse(row.expiresAt) <= now) return null;
  const owner = RolesService.grantsOf(user.roles);
  // Expanded to catalogue permissions so a wildcard on either side intersects exactly.
  const grants = PERMISSIONS.filter(
    (perm) => hasPermission(row.permissions, perm) && hasPermission(owner, perm),
  );
  return {
    userId: user.id,
    username: user.username,
    email: user.email,
    roles: user.roles.map((r) => r.id),
    grants,
    authProvider: user.authProvider,
    lastLogin: user.lastLogin,
    sessionId: TOKEN_SESSION_PREFIX + row.id,
    expiresAt: row.expiresAt ?? NEVER,
    tokenId: row.id,
  };
}
