import { Injectable } from '@nestjs/common';
import { normalizeLocalUsername } from '@tyto/contracts';
import { AppError } from '../../common/errors';
import type { UserEntity } from '../../users/user.entity';
import { PasswordService } from '../../users/password.service';
import { UsersService } from '../../users/users.service';
import type { PasswordStrategy } from './sign-in-strategy';

/** Only enabled local accounts sign in with a password. */
const usable = (user: UserEntity | null): user is UserEntity =>
  user !== null && !user.disabled && user.authProvider === 'local';

/** Local accounts: an argon2id hash in Tyto's own database. */
@Injectable()
export class LocalStrategy implements PasswordStrategy {
  readonly id = 'local';

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
  ) {}

  async verify(typed: string, password: string): Promise<UserEntity> {
    // Local names are stored NFKC-folded (LocalUsernameSchema), so the lookup folds too.
    const username = normalizeLocalUsername(typed);
    // An account made before names were folded may hold a non-NFKC name; it is found as typed.
    const user =
      (await this.users.findLocal(username)) ??
      (username !== typed ? await this.users.findLocal(typed) : null);
    // Verified even for an unknown user (against no hash), so timing does not tell them apart.
    const ok = await this.passwords.verify(usable(user) ? user.passwordHash : null, password);
    if (!usable(user) || !ok) {
      throw new AppError('INVALID_CREDENTIALS', 'Invalid username or password');
    }
    return user;
  }
}
