import { Injectable } from '@nestjs/common';
import { HubBus } from '../common/bus';
import {
  uncoveredGrants,
  type CreateUserRequest,
  type UpdateUserRequest,
  type User,
  type UserListResponse,
} from '@tyto/contracts';
import { AppError, forbidden, notFound } from '../common/errors';
import type { Principal } from '../common/principal';
import type { RoleEntity } from '../roles/role.entity';
import { RolesService } from '../roles/roles.service';
import { PasswordPolicy } from './password-policy';
import { PasswordService } from './password.service';
import type { UserEntity } from './user.entity';
import { toUser } from './users.dto';
import {
  USER_CHANGED,
  USER_SESSIONS_END,
  type UserChangedEvent,
  type UserSessionsEndEvent,
} from './users.events';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** The role whose last enabled holder cannot be disabled or demoted. */
const ADMIN_ROLE = 'admin';

const isAdmin = (u: UserEntity) => !u.disabled && u.roles.some((r) => r.id === ADMIN_ROLE);

/**
 * User administration (users:view / users:manage). Nobody hands out permissions they do not
 * hold: assigning a role, or managing a user, needs every grant that role or user has.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
    private readonly bus: HubBus,
  ) {}

  async list(): Promise<UserListResponse> {
    return { users: (await this.users.findAll()).map(toUser) };
  }

  async get(id: string): Promise<User> {
    return toUser(await this.load(id));
  }

  async create(actor: Principal, body: CreateUserRequest): Promise<User> {
    const roles = await this.usersService.resolveRoles(body.roles);
    assertCanGrant(actor, roles);
    const user = await this.usersService.createLocal({
      username: body.username,
      password: body.password,
      email: body.email ?? null,
      roleIds: roles.map((r) => r.id),
    });
    return toUser(user);
  }

  async update(actor: Principal, id: string, body: UpdateUserRequest): Promise<User> {
    const user = await this.load(id);
    assertCanManage(actor, user);
    const wasAdmin = isAdmin(user);
    const wasDisabled = user.disabled;
    if (body.roles !== undefined) {
      // A provider user keeps the roles its provider gives (re-computed at each sign-in); the
      // ones sent here are pinned on top.
      const roles = await this.usersService.resolveRoles([
        ...body.roles,
        ...(user.providerRoles ?? []),
      ]);
      assertCanGrant(actor, roles);
      user.roles = roles;
    }
    if (body.email !== undefined) user.email = body.email;
    if (body.disabled !== undefined) user.disabled = body.disabled;
    user.updatedAt = new Date().toISOString();
    await this.save(user, wasAdmin && !isAdmin(user));
    if (!wasDisabled && user.disabled) await this.endSessions({ userId: user.id });
    this.bus.publish(USER_CHANGED, { userId: user.id } satisfies UserChangedEvent);
    return toUser(user);
  }

  /** Soft delete: the user stays (for the audit trail and re-enabling) but cannot sign in. */
  async disable(actor: Principal, id: string): Promise<void> {
    await this.update(actor, id, { disabled: true });
  }

  /** Sets a new password and ends the user's sessions (all but the caller's own, for oneself). */
  async resetPassword(actor: Principal, id: string, newPassword: string): Promise<void> {
    const user = await this.load(id);
    assertCanManage(actor, user);
    if (user.authProvider !== 'local') {
      throw new AppError(
        'PASSWORD_MANAGED_EXTERNALLY',
        `The password of '${user.username}' is managed by ${user.authProvider}`,
      );
    }
    this.policy.check(newPassword);
    user.passwordHash = await this.passwords.hash(newPassword);
    user.updatedAt = new Date().toISOString();
    await this.users.save(user);
    await this.endSessions({
      userId: user.id,
      exceptSessionId: user.id === actor.userId ? actor.sessionId : undefined,
    });
  }

  private async load(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    return user;
  }

  private async save(user: UserEntity, losesAdmin: boolean): Promise<void> {
    if (!losesAdmin) {
      await this.users.save(user);
      return;
    }
    if (!(await this.users.saveKeepingAdmin(user, ADMIN_ROLE))) {
      throw new AppError(
        'LAST_ADMIN',
        `'${user.username}' is the last enabled administrator and must stay one`,
      );
    }
  }

  private async endSessions(event: UserSessionsEndEvent): Promise<void> {
    await this.bus.publishAndApply(USER_SESSIONS_END, event);
  }
}

function assertCanGrant(actor: Principal, roles: readonly RoleEntity[]): void {
  const missing = uncoveredGrants(actor.grants, RolesService.grantsOf(roles));
  if (missing.length) {
    throw forbidden('Cannot assign a role with permissions you do not hold', { missing });
  }
}

function assertCanManage(actor: Principal, user: UserEntity): void {
  const missing = uncoveredGrants(actor.grants, RolesService.grantsOf(user.roles));
  if (missing.length) {
    throw forbidden('Cannot manage a user with permissions you do not hold', { missing });
  }
}
