import { hasPermission, isValidGrant, PERMISSIONS, SYSTEM_ROLE_DEFINITIONS } from './permissions';

describe('hasPermission', () => {
  it('grants an exact match', () => {
    expect(hasPermission(['alerts:view'], 'alerts:view')).toBe(true);
  });
  it('grants through a resource wildcard only within that resource', () => {
    expect(hasPermission(['alerts:*'], 'alerts:manage')).toBe(true);
    expect(hasPermission(['alerts:*'], 'users:view')).toBe(false);
  });
  it('grants everything through *', () => {
    for (const p of PERMISSIONS) expect(hasPermission(['*'], p)).toBe(true);
  });
  it('refuses when nothing matches', () => {
    expect(hasPermission([], 'dashboard:view')).toBe(false);
    expect(hasPermission(['dashboard:viewer'], 'dashboard:view')).toBe(false);
  });
});

describe('isValidGrant', () => {
  it('accepts catalogue permissions and wildcards over known resources', () => {
    expect(isValidGrant('users:manage')).toBe(true);
    expect(isValidGrant('users:*')).toBe(true);
    expect(isValidGrant('*')).toBe(true);
  });
  it('rejects unknown permissions and resources', () => {
    expect(isValidGrant('users:destroy')).toBe(false);
    expect(isValidGrant('bogus:*')).toBe(false);
    expect(isValidGrant('')).toBe(false);
  });
  it('holds for every system role grant', () => {
    for (const def of Object.values(SYSTEM_ROLE_DEFINITIONS)) {
      for (const g of def.permissions) expect(isValidGrant(g)).toBe(true);
    }
  });
});
