import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HubBus, OnHubEvent, type DeliveredEnvelope } from '../common/bus';
import {
  API_TOKEN_PREFIX,
  normalizeLocalUsername,
  type LoginResponse,
  type MeResponse,
} from '@tyto/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BatchedTimes } from '../common/batched-times';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { JobLeases } from '../database/job-leases';
import { AppError } from '../common/errors';
import type { AuthedRequest, Principal } from '../common/principal';
import { ROLE_CHANGED } from '../roles/roles.events';
import { TOKEN_SESSION_PREFIX, TokensService } from '../tokens/tokens.service';
import { RolesService } from '../roles/roles.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import {
  USER_CHANGED,
  USER_SESSIONS_END,
  type UserChangedEvent,
  type UserSessionsEndEvent,
} from '../users/users.events';
import {
  AUTH_SESSION_ENDED,
  AUTH_SESSIONS_CHANGED,
  type AuthSessionsChangedEvent,
} from './auth.events';
import { requestToken } from './request-token';
import { LoginThrottle } from './login-throttle';
import { PrincipalCache } from './principal-cache';
import { SessionEntity } from './session.entity';
import { SessionsRepository } from './sessions.repository';
import { LdapStrategy } from './strategies/ldap.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import type { PasswordStrategy } from './strategies/sign-in-strategy';

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Sessions' last-seen times are written back this often, in one batch, never per request. */
const PURGE_EVERY_MS = 10 * 60_000;
const SESSION_PURGE_LEASE = 'auth.session-purge';
/** Principals cached per token: bounded, and re-read at least this often (see PrincipalCache). */
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_TTL_MS = 10_000;

@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthService.name);
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly cache = new PrincipalCache(CACHE_MAX_ENTRIES, CACHE_TTL_MS);
  /** Session id → last request (epoch ms) not yet written back. */
  private readonly unsavedSeen = new BatchedTimes(
    'session last-seen times',
    (batch) => this.sessions.touchMany(batch),
    AuthService.name,
  );

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly local: LocalStrategy,
    private readonly ldap: LdapStrategy,
    private readonly throttle: LoginThrottle,
    private readonly bus: HubBus,
    private readonly tokens: TokensService,
    private readonly leases: JobLeases,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      // One replica purges at a time (the lease outlives one period while it keeps it).
      this.leases
        .hold(SESSION_PURGE_LEASE, PURGE_EVERY_MS + 60_000)
        .then((lease) => lease && this.sessions.deleteExpired(new Date().toISOString()))
        .catch((e: unknown) => {
          this.logger.warn(`session purge failed: ${(e as Error).message}`);
        });
    }, PURGE_EVERY_MS);
    this.purgeTimer.unref();
    this.unsavedSeen.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.unsavedSeen.stop();
  }

  /**
   * Checks a password with the strategy asked for (or the default chain) and opens a new
   * session; the same 401 for every wrong name or password, and 429 while the (username,
   * address) pair is locked out after too many of them.
   */
  async login(
    typed: string,
    password: string | undefined,
    meta: ClientMeta,
    provider?: 'local' | 'ldap',
  ): Promise<LoginResponse> {
    // The lockout key is the folded name: `ａｄｍｉｎ` is `admin`, and no variant of a name
    // earns fresh attempts, whichever strategy checks it.
    const username = normalizeLocalUsername(typed);
    const chain = this.chainFor(provider);
    await this.throttle.begin(username, meta.ip);
    let user: UserEntity;
    try {
      // Only a chain with the directory gets here without a password (the controller holds a
      // local-only login to LocalLoginRequestSchema): the LDAP strategy refuses it unbound.
      user = await firstAccepting(chain, typed, password ?? '');
    } catch (e) {
      // Only a wrong name or password is a guess; load (429), a directory that cannot answer,
      // or a right password without a role or for a disabled account are not.
      if (!(e instanceof AppError && e.code === 'INVALID_CREDENTIALS')) {
        await this.throttle.forgive(username, meta.ip);
      }
      throw e;
    }
    await this.throttle.succeeded(username, meta.ip);
    return this.openSession(user, meta);
  }

  /**
   * Whether a login naming `provider` (or none) asks the directory. Such a login takes a missing,
   * empty or whitespace-only password as a wrong one (401, no bind); a local-only one holds the
   * body to LocalLoginRequestSchema (400 for a missing field).
   */
  asksDirectory(provider: 'local' | 'ldap' | undefined): boolean {
    return this.chainFor(provider).includes(this.ldap);
  }

  /**
   * Which strategies check a password: the one named, or with TYTO_AUTH_DEFAULT_PROVIDER=ldap
   * the directory first and then local accounts, so break-glass admins still sign in.
   */
  private chainFor(provider: 'local' | 'ldap' | undefined): PasswordStrategy[] {
    if (provider === 'ldap') return [this.ldap];
    if (provider === 'local') return [this.local];
    return this.config.authDefaultProvider === 'ldap' && this.ldap.configured
      ? [this.ldap, this.local]
      : [this.local];
  }

  /** Issues a fresh token for a user who has just proven who they are. */
  async openSession(user: UserEntity, meta: ClientMeta): Promise<LoginResponse> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expires = new Date(now.getTime() + this.config.sessionTtl * 1000);
    const session = Object.assign(new SessionEntity(), {
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashToken(token),
      createdAt: now.toISOString(),
      expiresAt: expires.toISOString(),
      lastSeenAt: now.toISOString(),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    });
    await this.sessions.save(session);
    await this.users.recordSignIn(user.id, now.toISOString());
    return {
      token,
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        roles: user.roles.map((r) => r.id),
        permissions: RolesService.grantsOf(user.roles),
      },
      expires_at: expires.toISOString(),
    };
  }

  /**
   * The principal behind a token, or null when it is unknown, expired, idle or its user disabled.
   * Served from the principal cache when it can be: no database round trip per request.
   */
  async authenticate(token: string): Promise<Principal | null> {
    if (token.startsWith(API_TOKEN_PREFIX)) return this.tokens.authenticate(token);
    const tokenHash = hashToken(token);
    const now = Date.now();
    let entry = this.cache.get(tokenHash, now);
    if (!entry) {
      const session = await this.sessions.findByTokenHash(tokenHash);
      if (!session?.user || session.user.disabled) {
        if (session) await this.dropSession(session.id);
        return null;
      }
      const principal = toPrincipal(session);
      const lastSeen = Math.max(
        Date.parse(session.lastSeenAt),
        this.unsavedSeen.get(session.id) ?? 0,
      );
      entry = {
        principal,
        expiresAt: Date.parse(session.expiresAt),
        lastSeenAt: lastSeen,
        loadedAt: now,
      };
      this.cache.set(tokenHash, entry);
    }
    const idleLimit = entry.lastSeenAt + this.config.sessionIdleTimeout * 1000;
    if (entry.expiresAt <= now || idleLimit <= now) {
      this.cache.delete(tokenHash);
      await this.dropSession(entry.principal.sessionId);
      return null;
    }
    this.markSeen(entry.principal.sessionId, now);
    entry.lastSeenAt = now;
    return entry.principal;
  }

  /**
   * The principal behind the token a request carries, for the audit of writes refused before
   * the guard ran. Like the guard's check it counts as use of the session; it never counts as a
   * failed login, and a lookup that fails only loses the attribution.
   */
  async principalOf(req: AuthedRequest): Promise<Principal | null> {
    const found = requestToken(req);
    if (!found) return null;
    try {
      return await this.authenticate(found.token);
    } catch (e) {
      this.logger.warn(
        `resolving the principal of a refused write failed: ${(e as Error).message}`,
      );
      return null;
    }
  }

  /**
   * Re-reads a principal from the database (bypassing the cache), for holders of a principal
   * beyond one request, such as open streams, after AUTH_SESSIONS_CHANGED. Null when the session
   * is gone, expired or its user disabled.
   */
  async revalidate(sessionId: string): Promise<Principal | null> {
    if (sessionId.startsWith(TOKEN_SESSION_PREFIX)) return this.tokens.revalidate(sessionId);
    const session = await this.sessions.findById(sessionId);
    if (!session?.user || session.user.disabled) return null;
    if (Date.parse(session.expiresAt) <= Date.now()) return null;
    return toPrincipal(session);
  }

  /** An open stream counts as use of its session, so a watched dashboard does not go idle. */
  markSeen(sessionId: string, at = Date.now()): void {
    if (sessionId.startsWith(TOKEN_SESSION_PREFIX)) this.tokens.markUsed(sessionId, at);
    else this.unsavedSeen.set(sessionId, at);
  }

  async logout(sessionId: string, userId: string): Promise<void> {
    await this.dropSession(sessionId);
    // Other replicas may hold the principal cached, or a stream on this session.
    this.bus.publish(AUTH_SESSION_ENDED, { sessionId, userId });
  }

  @OnHubEvent(AUTH_SESSION_ENDED)
  onSessionEnded(event: { sessionId: string; userId: string }): void {
    this.cache.dropSession(event.sessionId);
    this.unsavedSeen.delete(event.sessionId);
    this.changed({ userId: event.userId });
  }

  /** Ends sessions of a user (all, or all but the caller's). */
  async endSessions(userId: string, exceptSessionId?: string): Promise<void> {
    await this.sessions.deleteForUser(userId, exceptSessionId);
    this.cache.dropUser(userId);
    this.changed({ userId });
  }

  // Errors reach the emitter, so a user management write fails rather than leave sessions alive.
  @OnHubEvent(USER_SESSIONS_END, { propagateErrors: true })
  async onSessionsEnd(event: UserSessionsEndEvent, envelope: DeliveredEnvelope): Promise<void> {
    // The replica that published deletes the rows; every replica forgets what it cached.
    if (envelope.local) {
      await this.endSessions(event.userId, event.exceptSessionId);
      return;
    }
    this.cache.dropUser(event.userId);
    this.changed({ userId: event.userId });
  }

  @OnHubEvent(USER_CHANGED)
  onUserChanged(event: UserChangedEvent): void {
    this.cache.dropUser(event.userId);
    this.changed({ userId: event.userId });
  }

  @OnHubEvent(ROLE_CHANGED)
  onRoleChanged(): void {
    this.cache.dropUser();
    this.changed({});
  }

  private changed(event: AuthSessionsChangedEvent): void {
    this.bus.publish(AUTH_SESSIONS_CHANGED, event);
  }

  private async dropSession(sessionId: string): Promise<void> {
    this.cache.dropSession(sessionId);
    this.unsavedSeen.delete(sessionId);
    await this.sessions.delete(sessionId);
  }

  /** Writes the batched last-seen times in one transaction. */
  static me(p: Principal): MeResponse {
    return {
      id: p.userId,
      username: p.username,
      email: p.email,
      roles: p.roles,
      permissions: p.grants,
      auth_provider: p.authProvider,
      last_login: p.lastLogin,
    };
  }
}

function toPrincipal(session: SessionEntity): Principal {
  const user = session.user;
  if (!user) throw new Error('session loaded without its user');
  return {
    userId: user.id,
    username: user.username,
    email: user.email,
    roles: user.roles.map((r) => r.id),
    grants: RolesService.grantsOf(user.roles),
    authProvider: user.authProvider,
    lastLogin: user.lastLogin,
    sessionId: session.id,
    expiresAt: session.expiresAt,
  };
}

/**
 * The user the first strategy accepts. A strategy that does not know the name or cannot reach
 * its directory passes to the next; its error is answered if none accepts (503 before 401, so a
 * directory outage is not reported as a wrong password). Any other refusal ends the chain.
 */
async function firstAccepting(
  chain: readonly PasswordStrategy[],
  username: string,
  password: string,
): Promise<UserEntity> {
  let refusal: AppError | null = null;
  for (const strategy of chain) {
    try {
      return await strategy.verify(username, password);
    } catch (e) {
      if (
        !(e instanceof AppError) ||
        (e.code !== 'INVALID_CREDENTIALS' && e.code !== 'DIRECTORY_UNAVAILABLE')
      ) {
        throw e;
      }
      if (refusal === null || e.code === 'DIRECTORY_UNAVAILABLE') refusal = e;
    }
  }
  throw refusal ?? new AppError('INVALID_CREDENTIALS', 'Invalid username or password');
}
