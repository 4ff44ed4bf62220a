import { CreateRoleRequestSchema, grantCovered, uncoveredGrants } from './roles';
import { CreateUserRequestSchema, UpdateUserRequestSchema } from './users';

describe('grantCovered', () => {
  it('lets * grant anything', () => {
    expect(grantCovered(['*'], '*')).toBe(true);
    expect(grantCovered(['*'], 'users:manage')).toBe(true);
  });
  it('covers exact permissions through exact grants and resource wildcards', () => {
    expect(grantCovered(['alerts:view'], 'alerts:view')).toBe(true);
    expect(grantCovered(['alerts:*'], 'alerts:manage')).toBe(true);
    expect(grantCovered(['alerts:*'], 'users:view')).toBe(false);
  });
  it('covers a wildcard only with the same wildcard or *', () => {
    expect(grantCovered(['alerts:*'], 'alerts:*')).toBe(true);
    expect(grantCovered(['alerts:view', 'alerts:manage', 'alerts:acknowledge'], 'alerts:*')).toBe(
      false,
    );
    expect(grantCovered(['alerts:*'], '*')).toBe(false);
  });
  it('never covers a grant outside the catalogue', () => {
    expect(grantCovered(['alerts:*'], 'alerts:destroy')).toBe(false);
  });
});

describe('uncoveredGrants', () => {
  it('lists what the holder lacks', () => {
    expect(uncoveredGrants(['users:*'], ['users:view', 'roles:manage', '*'])).toEqual([
      'roles:manage',
      '*',
    ]);
  });
});

describe('CreateRoleRequestSchema', () => {
  it('accepts the seed request', () => {
    expect(
      CreateRoleRequestSchema.parse({
        name: 'Alert Manager',
        description: 'Can manage alerts only',
        permissions: ['dashboard:view', 'alerts:*'],
      }),
    ).toEqual({
      name: 'Alert Manager',
      description: 'Can manage alerts only',
      permissions: ['dashboard:view', 'alerts:*'],
    });
  });
  it('names each unknown permission', () => {
    const r = CreateRoleRequestSchema.safeParse({ name: 'x', permissions: ['users:nuke'] });
    expect(r.error?.issues).toEqual([
      expect.objectContaining({
        path: ['permissions', 0],
        message: "unknown permission 'users:nuke'",
      }),
    ]);
  });
});

describe('user request schemas', () => {
  it('defaults the roles of a new user to viewer', () => {
    expect(
      CreateUserRequestSchema.parse({ username: 'newuser', password: 'password123' }).roles,
    ).toEqual(['viewer']);
  });
  it.each(['has space', 'semi;colon', '', 'x'.repeat(129)])('refuses the username %p', (u) => {
    expect(CreateUserRequestSchema.safeParse({ username: u, password: 'p' }).success).toBe(false);
  });
  it('accepts the seed update and refuses unknown fields', () => {
    expect(
      UpdateUserRequestSchema.safeParse({
        email: 'newemail@example.com',
        roles: ['operator', 'viewer'],
      }).success,
    ).toBe(true);
    expect(UpdateUserRequestSchema.safeParse({ password: 'x' }).success).toBe(false);
  });
});
