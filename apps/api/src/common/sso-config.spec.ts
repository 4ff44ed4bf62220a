import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acceptedAlgorithms, claimLeftOut, claimValues } from '../auth/strategies/oidc-claims';
import { mapRoles } from '../auth/strategies/sign-in-strategy';
import { loadConfig } from './config';
import { normalizeDn, parseLdap, parseOidc } from './sso-config';

const LDAP = {
  TYTO_LDAP_URL: 'ldap://127.0.0.1:389',
  TYTO_LDAP_BIND_DN: 'cn=admin,dc=example,dc=org',
  TYTO_LDAP_BIND_PASSWORD: 'secret',
  TYTO_LDAP_SEARCH_BASE: 'dc=example,dc=org',
};

const OIDC = {
  TYTO_PUBLIC_URL: 'https://tyto.example.org/',
  TYTO_OIDC_ISSUER: 'https://idp.example.org/realms/x',
  TYTO_OIDC_CLIENT_ID: 'tyto',
  TYTO_OIDC_CLIENT_SECRET: 'secret',
};

describe('parseLdap', () => {
  it('is off without TYTO_LDAP_URL', () => {
    expect(parseLdap({})).toBeNull();
  });

  it('fills the documented defaults', () => {
    expect(parseLdap(LDAP)).toEqual({
      settings: expect.objectContaining({
        startTls: false,
        ca: null,
        userFilter: '(uid={{username}})',
        attrUsername: 'uid',
        attrEmail: 'mail',
        attrName: 'cn',
        groupSearchBase: null,
        groupFilter: '(member={{dn}})',
        defaultRole: null,
        displayName: 'Corporate directory',
      }),
    });
  });

  it('reads the role map with normalised DNs and single or listed roles', () => {
    const parsed = parseLdap({
      ...LDAP,
      TYTO_LDAP_ROLE_MAP: JSON.stringify({
        'CN=Ops, OU=Groups,DC=Example,DC=org': 'operator',
        'cn=sre,ou=groups,dc=example,dc=org': ['operator', 'admin'],
      }),
    });
    if (!parsed || !('settings' in parsed)) throw new Error('expected settings');
    expect([...parsed.settings.roleMap]).toEqual([
      ['cn=ops,ou=groups,dc=example,dc=org', ['operator']],
      ['cn=sre,ou=groups,dc=example,dc=org', ['operator', 'admin']],
    ]);
  });

  it.each([
    [{ TYTO_LDAP_BIND_DN: '' }, 'TYTO_LDAP_BIND_DN is required'],
    [
      { TYTO_LDAP_URL: 'http://x' },
      'TYTO_LDAP_URL: expected ldap://host[:port] or ldaps://host[:port]',
    ],
    [{ TYTO_LDAP_ROLE_MAP: '{nope' }, 'TYTO_LDAP_ROLE_MAP: not valid JSON'],
    [
      { TYTO_LDAP_ROLE_MAP: '["ops"]' },
      'TYTO_LDAP_ROLE_MAP: expected a JSON object of group → role id or [role ids]',
    ],
    [
      { TYTO_LDAP_ROLE_MAP: '{"cn=x":7}' },
      "TYTO_LDAP_ROLE_MAP: 'cn=x' must map to a role id or a list of role ids",
    ],
    [{ TYTO_LDAP_USER_FILTER: '(uid=alice)' }, 'TYTO_LDAP_USER_FILTER: must contain {{username}}'],
    [{ TYTO_LDAP_START_TLS: 'maybe' }, "TYTO_LDAP_START_TLS: expected true or false, got 'maybe'"],
    [
      { TYTO_LDAP_URL: 'ldaps://x', TYTO_LDAP_START_TLS: 'true' },
      'TYTO_LDAP_START_TLS: not with ldaps:// (already TLS)',
    ],
    [
      { TYTO_LDAP_DEFAULT_ROLE: 'no spaces' },
      "TYTO_LDAP_DEFAULT_ROLE: expected a role id, got 'no spaces'",
    ],
    [
      { TYTO_LDAP_GROUP_FILTER: '(memberUid={{username}})' },
      'TYTO_LDAP_GROUP_FILTER: needs TYTO_LDAP_GROUP_SEARCH_BASE (unset, the groups are the user entry’s memberOf)',
    ],
  ])('reports %p as one line', (change, error) => {
    expect(parseLdap({ ...LDAP, ...change })).toEqual({ error });
  });

  it('reads the CA file, and reports one it cannot read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tyto-ca-'));
    try {
      const file = path.join(dir, 'ca.pem');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\n');
      expect(parseLdap({ ...LDAP, TYTO_LDAP_CA_FILE: file })).toEqual({
        settings: expect.objectContaining({ ca: '-----BEGIN CERTIFICATE-----\n' }),
      });
      const missing = parseLdap({ ...LDAP, TYTO_LDAP_CA_FILE: path.join(dir, 'nope.pem') });
      expect(missing).toEqual({ error: expect.stringMatching(/^TYTO_LDAP_CA_FILE: cannot read /) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseOidc', () => {
  it('derives the redirect URI from TYTO_PUBLIC_URL and fills the defaults', () => {
    expect(parseOidc(OIDC)).toEqual({
      settings: expect.objectContaining({
        redirectUri: 'https://tyto.example.org/api/v1/auth/oidc/callback',
        appUrl: 'https://tyto.example.org/',
        scopes: 'openid profile email',
        roleClaim: 'groups',
        displayName: 'Single sign-on',
      }),
    });
  });

  it.each([
    [{ TYTO_PUBLIC_URL: '' }, 'TYTO_PUBLIC_URL is required'],
    [{ TYTO_OIDC_ISSUER: 'http://idp.example.org' }, 'TYTO_OIDC_ISSUER: expected an https:// URL'],
    [{ TYTO_OIDC_CLIENT_SECRET: '' }, 'TYTO_OIDC_CLIENT_SECRET is required'],
    [{ TYTO_OIDC_SCOPES: 'profile email' }, 'TYTO_OIDC_SCOPES: must include openid'],
  ])('reports %p as one line', (change, error) => {
    expect(parseOidc({ ...OIDC, ...change })).toEqual({ error });
  });

  it('accepts plain http for a loopback issuer only', () => {
    expect(parseOidc({ ...OIDC, TYTO_OIDC_ISSUER: 'http://127.0.0.1:9000' })).toHaveProperty(
      'settings',
    );
  });
});

describe('loadConfig with SSO settings', () => {
  it('does not stop the hub for a bad SSO value, and knows the names in tyto.yaml', () => {
    const config = loadConfig({ ...LDAP, TYTO_LDAP_ROLE_MAP: '{', TYTO_DATA_DIR: tmpdir() }, null);
    expect(config.ldap).toEqual({ error: 'TYTO_LDAP_ROLE_MAP: not valid JSON' });
    expect(config.oidc).toBeNull();
    expect(config.authDefaultProvider).toBe('local');
  });

  it('refuses an unknown TYTO_AUTH_DEFAULT_PROVIDER', () => {
    expect(() =>
      loadConfig({ TYTO_AUTH_DEFAULT_PROVIDER: 'oidc', TYTO_DATA_DIR: tmpdir() }, null),
    ).toThrow("TYTO_AUTH_DEFAULT_PROVIDER: expected local or ldap, got 'oidc'");
  });
});

describe('normalizeDn', () => {
  it('ignores case and spaces around separators', () => {
    expect(normalizeDn(' CN=Tyto Ops , OU=Groups,DC=corp ')).toBe('cn=tyto ops,ou=groups,dc=corp');
  });
});

describe('mapRoles', () => {
  const map = new Map([
    ['ops', ['operator']],
    ['sre', ['operator', 'admin']],
  ]);
  it('unions the roles of every mapped value, sorted', () => {
    expect(mapRoles(map, ['sre', 'ops', 'other'], null)).toEqual(['admin', 'operator']);
  });
  it('falls back to the default role only when nothing maps', () => {
    expect(mapRoles(map, ['other'], 'viewer')).toEqual(['viewer']);
    expect(mapRoles(map, ['ops'], 'viewer')).toEqual(['operator']);
    expect(mapRoles(map, [], null)).toEqual([]);
  });
});

describe('claimValues', () => {
  it('follows a dotted path and keeps only strings', () => {
    const claims = { realm_access: { roles: ['a', 7, 'b'] }, groups: 'ops', nested: null };
    expect(claimValues(claims, 'realm_access.roles')).toEqual(['a', 'b']);
    expect(claimValues(claims, 'groups')).toEqual(['ops']);
    expect(claimValues(claims, 'nested.x')).toEqual([]);
    expect(claimValues(claims, 'missing')).toEqual([]);
  });
});

describe('acceptedAlgorithms', () => {
  it('keeps the asymmetric algorithms the provider advertises, never none or HS*', () => {
    expect(acceptedAlgorithms(['HS256', 'none', 'ES256', 'RS256', 'EdDSA', 'PS256'])).toEqual([
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
    ]);
    expect(acceptedAlgorithms(['HS256', 'HS512', 'none'])).toEqual([]);
  });
  it('takes RS256 when the provider advertises nothing', () => {
    expect(acceptedAlgorithms(undefined)).toEqual(['RS256']);
  });
});

describe('claimLeftOut', () => {
  const overage = {
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: 'https://graph.windows.net/t/users/u/getMemberObjects' } },
  };
  it('sees an Entra ID group overage (distributed claim or hasgroups)', () => {
    expect(claimLeftOut(overage, 'groups')).toBe(true);
    expect(claimLeftOut({ hasgroups: true }, 'groups')).toBe(true);
  });
  it('does not take a present, a merely absent or another claim for one', () => {
    expect(claimLeftOut({ ...overage, groups: ['a'] }, 'groups')).toBe(false);
    expect(claimLeftOut({}, 'groups')).toBe(false);
    expect(claimLeftOut(overage, 'roles')).toBe(false);
    expect(claimLeftOut({ hasgroups: true }, 'roles')).toBe(false);
    expect(claimLeftOut({ _claim_names: { realm_access: 's' } }, 'realm_access.roles')).toBe(true);
  });
});
