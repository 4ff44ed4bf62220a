import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { PasswordService } from './password.service';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { RolesRepository } from '../roles/roles.repository';
import { RolesService } from '../roles/roles.service';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
    private readonly rolesService: RolesService,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.rolesService.seedSystemRoles();
    await this.ensureInitialAdmin();
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
