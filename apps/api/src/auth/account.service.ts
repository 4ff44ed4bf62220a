import { Inject, Injectable } from '@nestjs/common';
import type { MeResponse, RegisterRequest, UpdateMeRequest, User } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import type { Principal } from '../common/principal';
import { PasswordPolicy } from '../users/password-policy';
import { PasswordService } from '../users/password.service';
import type { UserEntity } from '../users/user.entity';
import { toUser } from '../users/users.dto';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { AuthService, type ClientMeta } from './auth.service';
import { LoginThrottle } from './login-throttle';

/** Role a self-registered account gets. */
const REGISTERED_ROLE = 'viewer';

/** Self-service on one's own account: registration, profile and password. */
@Injectable()
export class AccountService {
  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
    private readonly throttle: LoginThrottle,
    private readonly auth: AuthService,
  ) {}

  /** Counts toward the address's hourly registrations unless the password policy refused it. */
  async register(body: RegisterRequest, meta: ClientMeta): Promise<User> {
    if (!this.config.allowRegistration) {
      throw new AppError('REGISTRATION_DISABLED', 'Self-registration is turned off');
    }
    await this.throttle.beginRegistration(meta.ip);
    try {
      const user = await this.usersService.createLocal({
        username: body.username,
        password: body.password,
        email: body.email ?? null,
        roleIds: [REGISTERED_ROLE],
      });
      return toUser(user);
    } catch (e) {
      // A taken username still counts: it answers whether an account exists.
      if (e instanceof AppError && e.code === 'WEAK_PASSWORD')
        await this.throttle.forgiveRegistration(meta.ip);
      throw e;
    }
  }

  async updateMe(p: Principal, body: UpdateMeRequest): Promise<MeResponse> {
    const user = await this.load(p);
    if (body.email !== undefined) {
      user.email = body.email;
      user.updatedAt = new Date().toISOString();
      await this.users.save(user);
      this.auth.onUserChanged({ userId: user.id });
    }
    return { ...AuthService.me(p), email: user.email };
  }

  /**
   * Changes one's own password after proving the current one, then ends every other session.
   * Wrong current passwords count toward the login lockout, so a stolen session cannot be used
   * to guess the password at leisure.
   */
  async changePassword(
    p: Principal,
    current: string,
    next: string,
    meta: ClientMeta,
  ): Promise<void> {
    const user = await this.load(p);
    if (user.authProvider !== 'local') {
      throw new AppError(
        'PASSWORD_MANAGED_EXTERNALLY',
        `Your password is managed by ${user.authProvider}; change it there`,
      );
    }
    this.policy.check(next);
    await this.throttle.begin(user.username, meta.ip);
    const ok = await this.passwords.verify(user.passwordHash, current).catch(async (e: unknown) => {
      // Refused for load (429): no password was checked, so it is no guess.
      await this.throttle.forgive(user.username, meta.ip);
      throw e;
    });
    if (!ok) {
      throw new AppError('INVALID_CURRENT_PASSWORD', 'The current password is not correct');
    }
    await this.throttle.succeeded(user.username, meta.ip);
    user.passwordHash = await this.passwords.hash(next);
    user.updatedAt = new Date().toISOString();
    await this.users.save(user);
    await this.auth.endSessions(user.id, p.sessionId);
  }

  private async load(p: Principal): Promise<UserEntity> {
    const user = await this.users.findById(p.userId);
    // The guard just resolved this user; gone now means deleted in between.
    if (!user) throw new AppError('SESSION_EXPIRED', 'Session is invalid or has expired');
    return user;
  }
}
