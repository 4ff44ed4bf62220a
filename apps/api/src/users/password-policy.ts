import { Inject, Injectable } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';

/** The password rules every path that sets a password applies (create, reset, change, register). */
@Injectable()
export class PasswordPolicy {
  constructor(
    @Inject(TYTO_CONFIG) private readonly config: Pick<TytoConfig, 'passwordMinLength'>,
  ) {}

  /** Throws 400 WEAK_PASSWORD when the password breaks the policy. */
  check(password: string): void {
    const min = this.config.passwordMinLength;
    // Counted in code points, so a password of emoji is not shorter than it looks.
    if ([...password].length < min) {
      throw new AppError('WEAK_PASSWORD', `Password must be at least ${min} characters`, {
        min_length: min,
      });
    }
  }
}
