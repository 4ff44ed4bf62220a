import argon2 from 'argon2';
import { AppError } from '../common/errors';
import { PasswordService } from './password.service';

describe(PasswordService.name, () => {
  describe('hash', () => {
    it('makes argon2id hashes with 46 MiB, t=1, p=1 that verify', async () => {
      const passwords = new PasswordService();
      const hash = await passwords.hash('a-long-enough-password');
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=47104,t=1,p=1\$/);
      expect(await passwords.verify(hash, 'a-long-enough-password')).toBe(true);
      expect(await passwords.verify(hash, 'another-password')).toBe(false);
    });

    it('still verifies hashes made with the earlier 19 MiB, t=2 setting', async () => {
      const old = await argon2.hash('an-old-password', {
        type: argon2.argon2id,
        memoryCost: 19 * 1024,
        timeCost: 2,
        parallelism: 1,
      });
      expect(await new PasswordService().verify(old, 'an-old-password')).toBe(true);
    });
  });

  describe('verify', () => {
    it('runs two hashes at once, queues 32 more, and refuses the rest with 429', async () => {
      const passwords = new PasswordService();
      const hash = await passwords.hash('a-long-enough-password');
      const attempts = Array.from({ length: 40 }, () =>
        passwords.verify(hash, 'wrong-password-guess').then(
          () => 'answered',
          (e: unknown) => e,
        ),
      );
      expect(passwords.load).toEqual({ running: 2, waiting: 32 });
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((o) => o === 'answered')).toHaveLength(34);
      const refused = outcomes.filter((o) => o instanceof AppError);
      expect(refused).toHaveLength(6);
      expect(refused[0]).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(passwords.load).toEqual({ running: 0, waiting: 0 });
    }, 60_000);
  });
});
