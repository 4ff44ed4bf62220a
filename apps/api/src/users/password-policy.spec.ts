import { PasswordPolicy } from './password-policy';

describe(PasswordPolicy.name, () => {
  describe('check', () => {
    const policy = new PasswordPolicy({ passwordMinLength: 12 });

    it('accepts a password of the minimum length', () => {
      expect(() => policy.check('a'.repeat(12))).not.toThrow();
    });

    it('refuses a shorter one with 400 WEAK_PASSWORD and the minimum', () => {
      expect(() => policy.check('a'.repeat(11))).toThrow(
        expect.objectContaining({
          status: 400,
          code: 'WEAK_PASSWORD',
          details: { min_length: 12 },
        }),
      );
    });

    it('counts characters, not UTF-16 units', () => {
      // Six emoji are twelve UTF-16 units but only six characters.
      expect(() => policy.check('🦉'.repeat(6))).toThrow(
        expect.objectContaining({ code: 'WEAK_PASSWORD' }),
      );
      expect(() => policy.check('🦉'.repeat(12))).not.toThrow();
    });
  });
});
