import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
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
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(),
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
    const admin = Object.assign(new UserEntity(), {
      id: randomUUID(),
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
