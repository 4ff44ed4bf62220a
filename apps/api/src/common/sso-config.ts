import { readFileSync } from 'node:fs';

/**
 * LDAP and OIDC settings. A mistake here never stops the hub: local (break-glass) sign-in must
 * keep working, so a bad value makes that one provider "misconfigured" with a one-line reason,
 * logged at start and shown by GET /api/v1/auth/providers.
 */
export type ProviderConfig<T> = { settings: T } | { error: string } | null;

/** Group DN (LDAP, normalised by `normalizeDn`) or claim value (OIDC) → role ids. */
export type RoleMap = ReadonlyMap<string, readonly string[]>;

export interface LdapSettings {
  url: string;
  startTls: boolean;
  /** PEM of the CA(s) that signed the directory's certificate; null: the system store. */
  ca: string | null;
  bindDn: string;
  bindPassword: string;
  searchBase: string;
  /** With `{{username}}`, replaced by the RFC 4515-escaped name typed. */
  userFilter: string;
  attrUsername: string;
  attrEmail: string;
  attrName: string;
  /** Null: groups come from `memberOf` on the user entry. */
  groupSearchBase: string | null;
  /** With `{{dn}}`, replaced by the escaped DN of the user. */
  groupFilter: string;
  roleMap: RoleMap;
  defaultRole: string | null;
  displayName: string;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Dotted path into the ID token's claims (`groups`, `realm_access.roles`). */
  roleClaim: string;
  roleMap: RoleMap;
  defaultRole: string | null;
  displayName: string;
  /** `${TYTO_PUBLIC_URL}/api/v1/auth/oidc/callback`. */
  redirectUri: string;
  /** Where the browser lands after signing in: the dashboard. */
  appUrl: string;
}

type Source = Record<string, string | undefined>;

class Invalid extends Error {}

const val = (src: Source, name: string): string | undefined => {
  const v = src[name];
  return v === undefined || v.trim() === '' ? undefined : v;
};

const required = (src: Source, name: string): string => {
  const v = val(src, name);
  if (v === undefined) throw new Invalid(`${name} is required`);
  return v;
};

const boolOf = (src: Source, name: string, def: boolean): boolean => {
  const v = val(src, name)?.trim().toLowerCase();
  if (v === undefined) return def;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Invalid(`${name}: expected true or false, got '${v}'`);
};

/** Lower case, no spaces around `,` and `=`: DNs compare as the directory compares them. */
export const normalizeDn = (dn: string): string =>
  dn
    .trim()
    .replace(/\s*([,=+])\s*/g, '$1')
    .toLowerCase();

const ROLE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

function roleMapOf(src: Source, name: string, key: (k: string) => string): RoleMap {
  const raw = val(src, name);
  if (raw === undefined) return new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new Invalid(`${name}: not valid JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Invalid(`${name}: expected a JSON object of group → role id or [role ids]`);
  }
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const roles = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && ROLE_ID.test(r))) {
      throw new Invalid(`${name}: '${k}' must map to a role id or a list of role ids`);
    }
    map.set(key(k), [...(map.get(key(k)) ?? []), ...(roles as string[])]);
  }
  return map;
}

const roleIdOf = (src: Source, name: string): string | null => {
  const v = val(src, name)?.trim();
  if (v === undefined) return null;
  if (!ROLE_ID.test(v)) throw new Invalid(`${name}: expected a role id, got '${v}'`);
  return v;
};

function guarded<T>(configured: boolean, build: () => T): ProviderConfig<T> {
  if (!configured) return null;
  try {
    return { settings: build() };
  } catch (e) {
    if (e instanceof Invalid) return { error: e.message };
    throw e;
  }
}

export function parseLdap(src: Source): ProviderConfig<LdapSettings> {
  return guarded(val(src, 'TYTO_LDAP_URL') !== undefined, () => {
    const url = required(src, 'TYTO_LDAP_URL').trim();
    if (!/^ldaps?:\/\/[^\s/]+\/?$/.test(url)) {
      throw new Invalid(`TYTO_LDAP_URL: expected ldap://host[:port] or ldaps://host[:port]`);
    }
    const startTls = boolOf(src, 'TYTO_LDAP_START_TLS', false);
    if (startTls && url.startsWith('ldaps:')) {
      throw new Invalid('TYTO_LDAP_START_TLS: not with ldaps:// (already TLS)');
    }
    const caFile = val(src, 'TYTO_LDAP_CA_FILE');
    let ca: string | null = null;
    if (caFile !== undefined) {
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (e) {
        throw new Invalid(`TYTO_LDAP_CA_FILE: cannot read ${caFile} (${(e as Error).message})`);
      }
    }
    const userFilter = val(src, 'TYTO_LDAP_USER_FILTER') ?? '(uid={{username}})';
    if (!userFilter.includes('{{username}}')) {
      throw new Invalid('TYTO_LDAP_USER_FILTER: must contain {{username}}');
    }
    const groupSearchBase = val(src, 'TYTO_LDAP_GROUP_SEARCH_BASE') ?? null;
    const groupFilter = val(src, 'TYTO_LDAP_GROUP_FILTER');
    // Without a group base the groups are the entry's memberOf and no filter runs: a filter set
    // alone would be ignored without a word, so it is reported instead.
    if (groupFilter !== undefined && groupSearchBase === null) {
      throw new Invalid(
        'TYTO_LDAP_GROUP_FILTER: needs TYTO_LDAP_GROUP_SEARCH_BASE (unset, the groups are the user entry’s memberOf)',
      );
    }
    return {
      url,
      startTls,
      ca,
      // Never an anonymous search: a service account is part of the setup.
      bindDn: required(src, 'TYTO_LDAP_BIND_DN'),
      bindPassword: required(src, 'TYTO_LDAP_BIND_PASSWORD'),
      searchBase: required(src, 'TYTO_LDAP_SEARCH_BASE'),
      userFilter,
      attrUsername: val(src, 'TYTO_LDAP_ATTR_USERNAME') ?? 'uid',
      attrEmail: val(src, 'TYTO_LDAP_ATTR_EMAIL') ?? 'mail',
      attrName: val(src, 'TYTO_LDAP_ATTR_NAME') ?? 'cn',
      groupSearchBase,
      groupFilter: groupFilter ?? '(member={{dn}})',
      roleMap: roleMapOf(src, 'TYTO_LDAP_ROLE_MAP', normalizeDn),
      defaultRole: roleIdOf(src, 'TYTO_LDAP_DEFAULT_ROLE'),
      displayName: val(src, 'TYTO_LDAP_DISPLAY_NAME') ?? 'Corporate directory',
    };
  });
}

export function parseOidc(src: Source): ProviderConfig<OidcSettings> {
  return guarded(val(src, 'TYTO_OIDC_ISSUER') !== undefined, () => {
    const issuer = required(src, 'TYTO_OIDC_ISSUER').trim();
    const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : null;
    // Plain http only on loopback (a provider on the same machine, tests).
    const loopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (!issuerUrl || (issuerUrl.protocol !== 'https:' && !loopback(issuerUrl))) {
      throw new Invalid('TYTO_OIDC_ISSUER: expected an https:// URL');
    }
    const publicUrl = required(src, 'TYTO_PUBLIC_URL').trim().replace(/\/+$/, '');
    if (!URL.canParse(publicUrl) || !/^https?:$/.test(new URL(publicUrl).protocol)) {
      throw new Invalid('TYTO_PUBLIC_URL: expected the hub’s external http(s):// URL');
    }
    const scopes = val(src, 'TYTO_OIDC_SCOPES')?.trim() ?? 'openid profile email';
    if (!scopes.split(/\s+/).includes('openid')) {
      throw new Invalid('TYTO_OIDC_SCOPES: must include openid');
    }
    return {
      issuer,
      clientId: required(src, 'TYTO_OIDC_CLIENT_ID'),
      clientSecret: required(src, 'TYTO_OIDC_CLIENT_SECRET'),
      scopes,
      roleClaim: val(src, 'TYTO_OIDC_ROLE_CLAIM')?.trim() ?? 'groups',
      roleMap: roleMapOf(src, 'TYTO_OIDC_ROLE_MAP', (k) => k),
      defaultRole: roleIdOf(src, 'TYTO_OIDC_DEFAULT_ROLE'),
      displayName: val(src, 'TYTO_OIDC_DISPLAY_NAME') ?? 'Single sign-on',
      redirectUri: `${publicUrl}/api/v1/auth/oidc/callback`,
      appUrl: `${publicUrl}/`,
    };
  });
}

/** The variables read here, for config.ts's list of known names. */
export const SSO_VARIABLES = [
  'TYTO_PUBLIC_URL',
  'TYTO_AUTH_DEFAULT_PROVIDER',
  'TYTO_LDAP_URL',
  'TYTO_LDAP_START_TLS',
  'TYTO_LDAP_CA_FILE',
  'TYTO_LDAP_BIND_DN',
  'TYTO_LDAP_BIND_PASSWORD',
  'TYTO_LDAP_SEARCH_BASE',
  'TYTO_LDAP_USER_FILTER',
  'TYTO_LDAP_ATTR_USERNAME',
  'TYTO_LDAP_ATTR_EMAIL',
  'TYTO_LDAP_ATTR_NAME',
  'TYTO_LDAP_GROUP_SEARCH_BASE',
  'TYTO_LDAP_GROUP_FILTER',
  'TYTO_LDAP_ROLE_MAP',
  'TYTO_LDAP_DEFAULT_ROLE',
  'TYTO_LDAP_DISPLAY_NAME',
  'TYTO_OIDC_ISSUER',
  'TYTO_OIDC_CLIENT_ID',
  'TYTO_OIDC_CLIENT_SECRET',
  'TYTO_OIDC_SCOPES',
  'TYTO_OIDC_ROLE_CLAIM',
  'TYTO_OIDC_ROLE_MAP',
  'TYTO_OIDC_DEFAULT_ROLE',
  'TYTO_OIDC_DISPLAY_NAME',
] as const;
