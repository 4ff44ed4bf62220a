import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { LoginResponse, MeResponse } from '@tyto/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import type { Principal } from '../common/principal';
import { RolesService } from '../roles/roles.service';
import type { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { PasswordService } from '../users/password.service';
import { USER_SESSIONS_END, type UserSessionsEndEvent } from '../users/users.events';
import { LoginThrottle } from './login-throttle';
import { SessionEntity } from './session.entity';
import { SessionsRepository } from './sessions.repository';

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A session's last-seen time is written at most this often, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 30_000;
const PURGE_EVERY_MS = 10 * 60_000;

@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthService.name);
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly passwords: PasswordService,
    private readonly throttle: LoginThrottle,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.sessions.deleteExpired(new Date().toISOString()).catch((e: unknown) => {
        this.logger.warn(`session purge failed: ${(e as Error).message}`);
      });
    }, PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
  }

  /**
   * Checks credentials and opens a new session; the same 401 for every kind of failure, and
   * 429 while the (username, address) pair is locked out after too many failures.
   */
  async login(username: string, password: string, meta: ClientMeta): Promise<LoginResponse> {
    this.throttle.begin(username, meta.ip);
    const user = await this.users.findByUsername(username);
    const usable = user !== null && !user.disabled && user.authProvider === 'local';
    const ok = await this.passwords.verify(usable ? user.passwordHash : null, password);
    if (!usable || !ok) {
      throw new AppError(401, 'INVALID_CREDENTIALS', 'Invalid username or password');
    }
    this.throttle.succeeded(username, meta.ip);
    return this.openSession(user, meta);
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
    await this.users.setLastLogin(user.id, now.toISOString());
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

  /** The principal behind a token, or null when it is unknown, expired, idle or its user disabled. */
  async authenticate(token: string): Promise<Principal | null> {
    const session = await this.sessions.findByTokenHash(hashToken(token));
    if (!session?.user) return null;
    const now = Date.now();
    const idleLimit = Date.parse(session.lastSeenAt) + this.config.sessionIdleTimeout * 1000;
    if (Date.parse(session.expiresAt) <= now || idleLimit <= now || session.user.disabled) {
      await this.sessions.delete(session.id);
      return null;
    }
    if (now - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
      await this.sessions.touch(session.id, new Date(now).toISOString());
    }
    const user = session.user;
    return {
      userId: user.id,
      username: user.username,
      email: user.email,
      roles: user.roles.map((r) => r.id),
      grants: RolesService.grantsOf(user.roles),
      authProvider: user.authProvider,
      lastLogin: user.lastLogin,
      sessionId: session.id,
    };
  }

  async logout(sessionId: string): Promise<void> {
    await this.sessions.delete(sessionId);
  }

  /** Ends sessions of a user (all, or all but the caller's). */
  async endSessions(userId: string, exceptSessionId?: string): Promise<void> {
    await this.sessions.deleteForUser(userId, exceptSessionId);
  }

  // Errors reach the emitter, so a user management write fails rather than leave sessions alive.
  @OnEvent(USER_SESSIONS_END, { suppressErrors: false })
  async onSessionsEnd(event: UserSessionsEndEvent): Promise<void> {
    await this.endSessions(event.userId, event.exceptSessionId);
  }

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
