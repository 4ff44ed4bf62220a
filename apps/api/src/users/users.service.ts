import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HubBus } from '../common/bus';
import { normalizeLocalUsername } from '@tyto/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { withStartupLock } from '../database/data-source';
import { PasswordService } from './password.service';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import type { RoleEntity } from '../roles/role.entity';
import { RolesRepository } from '../roles/roles.repository';
import { RolesService } from '../roles/roles.service';
import { UserEntity } from './user.entity';
import { PasswordPolicy } from './password-policy';
import { UsersRepository } from './users.repository';
import { USER_CHANGED, type UserChangedEvent } from './users.events';
import { isUniqueViolation } from '../database/db-errors';

/** Who a provider says signed in, and the roles its groups or claims map to. */
export interface ExternalIdentity {
  provider: 'ldap' | 'oidc';
  externalId: string;
  username: string;
  email: string | null;
  providerRoleIds: string[];
  /** Tried for a new user whose name another account of the provider already holds. */
  fallbackUsername?: string;
}

export interface NewLocalUser {
  username: string;
  password: string;
  email: string | null;
  roleIds: string[];
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
    private readonly rolesService: RolesService,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
    private readonly dataSource: DataSource,
    private readonly bus: HubBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Replicas starting together take turns, so the roles and `admin` are created once.
    await withStartupLock(this.dataSource, async () => {
      await this.rolesService.seedSystemRoles();
      await this.ensureInitialAdmin();
    });
  }

  /**
   * Creates a local user (admin creation and self-registration): password policy, known roles,
   * and a username unique in any case, answered with 400/409 codes the client can branch on.
   */
  async createLocal(input: NewLocalUser): Promise<UserEntity> {
    this.policy.check(input.password);
    // The request schema folded it already; folding again keeps the key right for any caller.
    const username = normalizeLocalUsername(input.username);
    const usernameKey = username.toLowerCase();
    const taken = () => new AppError('USERNAME_TAKEN', `Username '${username}' is already taken`);
    // Checked before hashing so a clash costs no argon2 run; the unique index settles races.
    if (await this.users.findByUsername(usernameKey)) throw taken();
    const roles = await this.resolveRoles(input.roleIds);
    const now = new Date().toISOString();
    const id = randomUUID();
    const user = Object.assign(new UserEntity(), {
      id,
      externalId: id,
      providerRoles: null,
      username,
      usernameKey,
      email: input.email,
      passwordHash: await this.passwords.hash(input.password),
      authProvider: 'local',
      disabled: false,
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
      roles,
    });
    if (!(await this.users.create(user))) throw taken();
    return user;
  }

  /** The local account of that name (any case), with its roles; null when there is none. */
  findLocal(username: string): Promise<UserEntity | null> {
    return this.users.findByUsername(username, 'local');
  }

  async recordSignIn(userId: string, at: string): Promise<void> {
    await this.users.setLastLogin(userId, at);
  }

  /**
   * Just-in-time provisioning of a user a provider vouched for: found by (provider, external id),
   * created on first sign-in, and on every sign-in its name, email and provider roles are
   * re-read (roles an administrator pinned are kept). 403 ACCOUNT_DISABLED when disabled here.
   * Role ids the mapping names that do not exist are skipped with a warning.
   */
  /**
   * A known provider user whose groups now map to no role keeps only the roles an admin pinned,
   * and their live sessions lose the others at once: leaving the groups ends the access they gave
   * without waiting for the sessions to expire.
   */
  private async dropProviderRoles(provider: ExternalIdentity['provider'], externalId: string) {
    const existing = await this.users.findByExternalId(provider, externalId);
    if (!existing?.providerRoles?.length) return;
    const previous = new Set(existing.providerRoles);
    existing.roles = existing.roles.filter((r) => !previous.has(r.id));
    existing.providerRoles = [];
    existing.updatedAt = new Date().toISOString();
    await this.users.save(existing);
    this.bus.publish(USER_CHANGED, { userId: existing.id } satisfies UserChangedEvent);
  }

  async provisionExternal(input: ExternalIdentity): Promise<UserEntity> {
    const known = await this.roles.findByIds([...new Set(input.providerRoleIds)]);
    const unknown = input.providerRoleIds.filter((id) => !known.some((r) => r.id === id));
    if (unknown.length) {
      this.logger.warn(`${input.provider} role mapping names unknown roles: ${unknown.join(', ')}`);
    }
    if (known.length === 0) {
      await this.dropProviderRoles(input.provider, input.externalId);
      throw new AppError(
        'NO_ROLE',
        `No Tyto role is mapped to any of your ${input.provider} groups`,
      );
    }
    const providerRoleIds = known.map((r) => r.id).sort();
    const username = input.username.normalize('NFKC').slice(0, 128);
    const email = input.email?.slice(0, 254) ?? null;
    const now = new Date().toISOString();
    const existing = await this.users.findByExternalId(input.provider, input.externalId);
    if (existing) {
      if (existing.disabled) {
        throw new AppError('ACCOUNT_DISABLED', 'This account is disabled in Tyto');
      }
      const previous = new Set(existing.providerRoles ?? []);
      const pinned = existing.roles.filter((r) => !previous.has(r.id));
      const before = existing.roles
        .map((r) => r.id)
        .sort()
        .join(',');
      existing.roles = [...pinned, ...known.filter((r) => !pinned.some((p) => p.id === r.id))];
      existing.providerRoles = providerRoleIds;
      const kept = { username: existing.username, usernameKey: existing.usernameKey };
      existing.username = username;
      existing.usernameKey = username.toLowerCase();
      existing.email = email;
      existing.updatedAt = now;
      try {
        await this.users.save(existing);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        // Renamed at the provider onto a name another account holds: keep the name it had.
        Object.assign(existing, kept);
        await this.users.save(existing);
      }
      if (
        before !==
        existing.roles
          .map((r) => r.id)
          .sort()
          .join(',')
      ) {
        // Sessions the user already has see the new roles at once.
        this.bus.publish(USER_CHANGED, { userId: existing.id } satisfies UserChangedEvent);
      }
      return existing;
    }
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(),
      externalId: input.externalId,
      providerRoles: providerRoleIds,
      username,
      usernameKey: username.toLowerCase(),
      email,
      passwordHash: null,
      authProvider: input.provider,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
      roles: known,
    });
    if (!(await this.users.create(user))) {
      const fallback = input.fallbackUsername?.normalize('NFKC').slice(0, 128);
      if (!fallback) throw this.nameTaken(input.provider, username);
      Object.assign(user, { username: fallback, usernameKey: fallback.toLowerCase() });
      if (!(await this.users.create(user))) throw this.nameTaken(input.provider, fallback);
    }
    this.logger.log(`Provisioned ${input.provider} user '${username}'`);
    return user;
  }

  private nameTaken(provider: string, username: string): AppError {
    // Another entry of the same provider already holds the name (a renamed or re-created entry).
    return new AppError(
      'USERNAME_TAKEN',
      `Another ${provider} account is already named '${username}'; an administrator must resolve it`,
    );
  }

  /** The roles with these ids; 400 UNKNOWN_ROLE naming any that do not exist. */
  async resolveRoles(ids: readonly string[]): Promise<RoleEntity[]> {
    const wanted = [...new Set(ids)];
    const roles = await this.roles.findByIds(wanted);
    const missing = wanted.filter((id) => !roles.some((r) => r.id === id));
    if (missing.length) {
      throw new AppError('UNKNOWN_ROLE', `Unknown role: ${missing.join(', ')}`, {
        roles: missing,
      });
    }
    return roles;
  }

  /** First start only: creates `admin` with TYTO_ADMIN_PASSWORD, or a random password logged once. */
  private async ensureInitialAdmin(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const generated = this.config.adminPassword === null;
    const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
    const now = new Date().toISOString();
    const id = randomUUID();
    const admin = Object.assign(new UserEntity(), {
      id,
      externalId: id,
      providerRoles: null,
      username: 'admin',
      usernameKey: 'admin',
      email: null,
      passwordHash: await this.passwords.hash(password),
      authProvider: 'local',
      disabled: false,
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
      roles: await this.roles.findByIds(['admin']),
    });
    await this.users.save(admin);
    if (generated) {
      this.logger.warn(
        `Created user 'admin' with generated password: ${password} (shown once; change it after signing in)`,
      );
    } else {
      this.logger.log(`Created user 'admin' with the password from TYTO_ADMIN_PASSWORD`);
    }
  }
}
