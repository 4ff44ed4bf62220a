import { LoginRequestSchema } from './auth';
import { CreateUserRequestSchema, LocalUsernameSchema, RegisterRequestSchema } from './users';

describe('LocalUsernameSchema', () => {
  it.each([
    'admin',
    'newuser',
    'CaseUser',
    'Default-Role',
    'm-viewer',
    'a.b_c-d',
    'ops@example.com',
  ])('accepts %p as it is', (name) => {
    expect(LocalUsernameSchema.parse(name)).toBe(name);
  });

  it('trims and folds compatibility forms (NFKC): fullwidth letters are plain ones', () => {
    expect(LocalUsernameSchema.parse(' ａｄｍｉｎ ')).toBe('admin');
    expect(LocalUsernameSchema.parse('ｂｏｂ２')).toBe('bob2');
  });

  it.each([
    ['a dotless i', 'admın'],
    ['a Cyrillic а', 'аdmin'],
    ['a Greek omicron', 'rοot'],
    ['accented letters', 'jürgen'],
    ['a leading dash', '-admin'],
    ['a leading dot', '.admin'],
    ['a space', 'has space'],
    ['a semicolon', 'semi;colon'],
    ['nothing', ''],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses %s', (_, name) => {
    expect(LocalUsernameSchema.safeParse(name).success).toBe(false);
  });

  it('says what is allowed', () => {
    expect(LocalUsernameSchema.safeParse('admın').error?.issues[0]?.message).toBe(
      'may contain only letters a-z, digits and . _ @ -, and must start with a letter or digit',
    );
  });

  it('holds for admin creation and self-registration alike', () => {
    const user = { username: 'аdmin', password: 'long-enough-password' };
    expect(CreateUserRequestSchema.safeParse(user).success).toBe(false);
    expect(RegisterRequestSchema.safeParse(user).success).toBe(false);
  });
});

describe('LoginRequestSchema', () => {
  it('takes whatever name a provider user types, but no control characters', () => {
    expect(LoginRequestSchema.safeParse({ username: 'jürgen', password: 'x' }).success).toBe(true);
    expect(LoginRequestSchema.safeParse({ username: 'admin\u0000', password: 'x' }).success).toBe(
      false,
    );
  });
});
