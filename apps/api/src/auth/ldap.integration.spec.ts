import type { AuditListResponse, MeResponse, User } from '@tyto/contracts';
import { rmSync } from 'node:fs';
import { expectError, expectJson } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';
import {
  GROUP_OPS,
  GROUP_VIEWERS,
  LDAP_ADMIN_DN,
  LDAP_ADMIN_PASSWORD,
  LDAP_SUFFIX,
  LDAP_USER_PASSWORD,
  selfSignedCertificate,
  startSlapd,
  type Slapd,
} from '../test/slapd';

// Ports from the sso range (18400–18499): slapd on ldap:// and on ldaps://.
const LDAP_PORT = 18400;
const LDAPS_PORT = 18401;
const LDAP_SPARE_PORT = 18402;
const LDAP_MEMBEROF_PORT = 18404;

const ldapEnv = (url: string, extra: Record<string, string> = {}) => ({
  TYTO_LDAP_URL: url,
  TYTO_LDAP_BIND_DN: LDAP_ADMIN_DN,
  TYTO_LDAP_BIND_PASSWORD: LDAP_ADMIN_PASSWORD,
  TYTO_LDAP_SEARCH_BASE: `ou=people,${LDAP_SUFFIX}`,
  TYTO_LDAP_GROUP_SEARCH_BASE: `ou=groups,${LDAP_SUFFIX}`,
  TYTO_LDAP_ROLE_MAP: JSON.stringify({ [GROUP_OPS]: 'operator', [GROUP_VIEWERS]: ['viewer'] }),
  // Each test signs in from its own address, so lockouts never leak between tests.
  TYTO_TRUST_PROXY: '1',
  ...extra,
});

let addressSeq = 1;
const login = (hub: TestHub, json: Record<string, unknown>) =>
  hub.fetch('/api/v1/auth/login', {
    method: 'POST',
    json,
    headers: { 'x-forwarded-for': `198.51.100.${addressSeq++ % 250}` },
  });

describe.each(DB_KINDS)('LDAP sign-in against slapd on %s', (kind) => {
  let slapd: Slapd;
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    slapd = await startSlapd(LDAP_PORT);
    hub = await startHub(kind, ldapEnv(slapd.url));
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub?.close();
    await slapd?.stop();
  });

  const ldapUsers = async () =>
    (
      await expectJson<{ users: User[] }>(await hub.fetch('/api/v1/users', { token: admin }), 200)
    ).users.filter((u) => u.auth_provider === 'ldap');

  it('signs in a directory user with the roles their groups map to', async () => {
    const res = await login(hub, {
      username: 'alice',
      password: LDAP_USER_PASSWORD,
      provider: 'ldap',
    });
    const body = await expectJson<{ token: string; user: { roles: string[] } }>(res, 200);
    expect(body.user.roles).toEqual(['operator']);
    const me = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { token: body.token }),
      200,
    );
    expect(me).toMatchObject({ username: 'alice', auth_provider: 'ldap', roles: ['operator'] });
    const dave = await expectJson<{ user: { roles: string[] } }>(
      await login(hub, { username: 'dave', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    expect(dave.user.roles).toEqual(['operator', 'viewer']);
    const alice = (await ldapUsers()).find((u) => u.username === 'alice');
    expect(alice).toMatchObject({
      email: 'alice@example.org',
      roles: ['operator'],
      provider_roles: ['operator'],
    });
  });

  it('audits directory sign-ins, failed ones under the name tried', async () => {
    await login(hub, { username: 'bob', password: 'wrong-password', provider: 'ldap' });
    const audit = await expectJson<AuditListResponse>(
      await hub.fetch('/api/v1/audit?action=auth.login&limit=5', { token: admin }),
      200,
    );
    expect(audit.entries[0]).toMatchObject({
      actor_username: 'bob',
      outcome: 'failure',
      status: 401,
    });
  });

  it('answers a wrong password with 401', async () => {
    await expectError(
      await login(hub, { username: 'bob', password: 'not-the-password', provider: 'ldap' }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('refuses empty, missing and whitespace-only passwords with 401 before any bind or connection reaches slapd', async () => {
    const before = { binds: slapd.binds(), connections: slapd.connections() };
    const attempts: Record<string, unknown>[] = [
      ...['', ' ', '   ', '\u00a0', '\u3000'].map((password) => ({
        username: 'alice',
        password,
        provider: 'ldap',
      })),
      { username: 'alice', provider: 'ldap' },
    ];
    for (const attempt of attempts) {
      await expectError(await login(hub, attempt), 401, 'INVALID_CREDENTIALS');
    }
    expect({ binds: slapd.binds(), connections: slapd.connections() }).toEqual(before);
    // The counters do count: one real attempt is a connection with the service and user binds.
    await expectError(
      await login(hub, { username: 'alice', password: 'wrong', provider: 'ldap' }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect(slapd.connections()).toBe(before.connections + 1);
    expect(slapd.binds()).toBe(before.binds + 2);
  });

  it('keeps a missing or empty password a missing field (400) for local sign-in', async () => {
    for (const json of [
      { username: 'admin', provider: 'local' },
      { username: 'admin', password: '', provider: 'local' },
    ]) {
      const body = await expectError(await login(hub, json), 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(body.details)).toContain('password');
    }
  });

  it.each(['*)(uid=*))(|(uid=*', 'adm*', '*', 'alice)(uid=*'])(
    'escapes filter input: %p is 401',
    async (username) => {
      await expectError(
        await login(hub, { username, password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        401,
        'INVALID_CREDENTIALS',
      );
    },
  );

  it('refuses a user in no mapped group with 403 NO_ROLE and creates nobody', async () => {
    await expectError(
      await login(hub, { username: 'carol', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      403,
      'NO_ROLE',
    );
    expect((await ldapUsers()).some((u) => u.username === 'carol')).toBe(false);
  });

  it('re-computes roles at the next sign-in after a group change, and on live sessions', async () => {
    const first = await expectJson<{ token: string; user: { roles: string[] } }>(
      await login(hub, { username: 'erin', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    expect(first.user.roles).toEqual(['viewer']);
    slapd.modify(
      `dn: ${GROUP_VIEWERS}\nchangetype: modify\ndelete: member\nmember: uid=erin,ou=people,${LDAP_SUFFIX}\n\n` +
        `dn: ${GROUP_OPS}\nchangetype: modify\nadd: member\nmember: uid=erin,ou=people,${LDAP_SUFFIX}\n`,
    );
    const second = await expectJson<{ user: { roles: string[] } }>(
      await login(hub, { username: 'erin', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    expect(second.user.roles).toEqual(['operator']);
    // The session opened before the change sees the new roles at once.
    const me = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { token: first.token }),
      200,
    );
    expect(me.roles).toEqual(['operator']);
  });

  it('keeps roles an admin pinned apart from the provider roles, and refuses Tyto passwords', async () => {
    // Signed in here, so this test does not depend on an earlier one having done it.
    const first = await expectJson<{ user: { id: string } }>(
      await login(hub, { username: 'bob', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    const id = first.user.id;
    const pinned = await expectJson<User>(
      await hub.fetch(`/api/v1/users/${id}`, {
        method: 'PUT',
        token: admin,
        json: { roles: ['operator'] },
      }),
      200,
    );
    expect(pinned).toMatchObject({ roles: ['operator', 'viewer'], provider_roles: ['viewer'] });
    const again = await expectJson<{ user: { roles: string[] } }>(
      await login(hub, { username: 'bob', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    expect(again.user.roles).toEqual(['operator', 'viewer']);
    await expectError(
      await hub.fetch(`/api/v1/users/${id}/password`, {
        method: 'PUT',
        token: admin,
        json: { new_password: 'a-long-new-password' },
      }),
      400,
      'PASSWORD_MANAGED_EXTERNALLY',
    );
  });

  it('refuses a directory user setting their own password in Tyto', async () => {
    const { token } = await expectJson<{ token: string }>(
      await login(hub, { username: 'bob', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    await expectError(
      await hub.fetch('/api/v1/auth/me/password', {
        method: 'PUT',
        token,
        json: { current_password: LDAP_USER_PASSWORD, new_password: 'a-long-new-password' },
      }),
      400,
      'PASSWORD_MANAGED_EXTERNALLY',
    );
  });

  it('locks out a user disabled in Tyto although the directory accepts them', async () => {
    const ok = await expectJson<{ token: string; user: { id: string } }>(
      await login(hub, { username: 'dave', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    await expectJson(
      await hub.fetch(`/api/v1/users/${ok.user.id}`, {
        method: 'PUT',
        token: admin,
        json: { disabled: true },
      }),
      200,
    );
    await expectError(
      await login(hub, { username: 'dave', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      403,
      'ACCOUNT_DISABLED',
    );
    expect((await hub.fetch('/api/v1/auth/me', { token: ok.token })).status).toBe(401);
  });

  it('keeps a local alice and a directory alice apart', async () => {
    await expectJson(
      await hub.fetch('/api/v1/users', {
        method: 'POST',
        token: admin,
        json: { username: 'alice', password: 'local-alice-password', roles: ['viewer'] },
      }),
      201,
    );
    const local = await expectJson<{ user: { id: string; roles: string[] } }>(
      await login(hub, { username: 'alice', password: 'local-alice-password', provider: 'local' }),
      200,
    );
    const ldap = await expectJson<{ user: { id: string; roles: string[] } }>(
      await login(hub, { username: 'alice', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
      200,
    );
    expect(local.user.id).not.toBe(ldap.user.id);
    expect(local.user.roles).toEqual(['viewer']);
    expect(ldap.user.roles).toEqual(['operator']);
  });

  it('lists the directory on GET /auth/providers', async () => {
    const res = await expectJson<unknown>(await hub.fetch('/api/v1/auth/providers'), 200);
    expect(res).toEqual({
      providers: [
        { id: 'local', type: 'local' },
        { id: 'ldap', type: 'ldap', name: 'Corporate directory' },
      ],
      misconfigured: [],
    });
  });

  it('answers 503 DIRECTORY_UNAVAILABLE once slapd is stopped, and local admins still sign in', async () => {
    const own = await startSlapd(LDAP_SPARE_PORT);
    const down = await startHub(kind, ldapEnv(own.url, { TYTO_AUTH_DEFAULT_PROVIDER: 'ldap' }));
    try {
      await expectJson(
        await login(down, { username: 'alice', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        200,
      );
      await own.stop();
      await expectError(
        await login(down, { username: 'alice', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        503,
        'DIRECTORY_UNAVAILABLE',
      );
      await expectError(
        await login(down, { username: 'alice', password: LDAP_USER_PASSWORD }),
        503,
        'DIRECTORY_UNAVAILABLE',
      );
      // Break-glass: the default chain still finds the local admin.
      await down.login();
    } finally {
      await down.close();
      await own.stop();
    }
  });
});

describe.each(DB_KINDS)('LDAP groups from memberOf (slapd memberof overlay) on %s', (kind) => {
  let slapd: Slapd;
  let hub: TestHub;

  beforeAll(async () => {
    slapd = await startSlapd(LDAP_MEMBEROF_PORT, { memberOf: true });
    // No TYTO_LDAP_GROUP_SEARCH_BASE: the groups are the user entry's memberOf values.
    const { TYTO_LDAP_GROUP_SEARCH_BASE: _unset, ...env } = ldapEnv(slapd.url);
    hub = await startHub(kind, env);
  });
  afterAll(async () => {
    await hub?.close();
    await slapd?.stop();
  });

  const signIn = (username: string) =>
    login(hub, { username, password: LDAP_USER_PASSWORD, provider: 'ldap' });

  it('maps the memberOf values the overlay keeps on the entry, and searches no group', async () => {
    const searches = () => slapd.log().filter((l) => / SRCH base="/.test(l)).length;
    const before = searches();
    const alice = await expectJson<{ user: { roles: string[] } }>(await signIn('alice'), 200);
    expect(alice.user.roles).toEqual(['operator']);
    const dave = await expectJson<{ user: { roles: string[] } }>(await signIn('dave'), 200);
    expect(dave.user.roles).toEqual(['operator', 'viewer']);
    await expectError(await signIn('carol'), 403, 'NO_ROLE');
    // Each sign-in searched for the user only (one search each; the log is written before the
    // answer, and the third sign-in's answer came back, so all three are in it).
    expect(slapd.log().filter((l) => / SRCH base="ou=groups/.test(l))).toEqual([]);
    expect(searches() - before).toBe(3);
  });

  it('changes the roles at the next sign-in and on live sessions when the groups change', async () => {
    const first = await expectJson<{ token: string; user: { roles: string[] } }>(
      await signIn('erin'),
      200,
    );
    expect(first.user.roles).toEqual(['viewer']);
    // Changed on the groups only: the overlay rewrites erin's memberOf.
    slapd.modify(
      `dn: ${GROUP_VIEWERS}\nchangetype: modify\ndelete: member\nmember: uid=erin,ou=people,${LDAP_SUFFIX}\n\n` +
        `dn: ${GROUP_OPS}\nchangetype: modify\nadd: member\nmember: uid=erin,ou=people,${LDAP_SUFFIX}\n`,
    );
    const second = await expectJson<{ user: { roles: string[] } }>(await signIn('erin'), 200);
    expect(second.user.roles).toEqual(['operator']);
    const me = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { token: first.token }),
      200,
    );
    expect(me.roles).toEqual(['operator']);
    // Out of every mapped group: refused, and the live session loses its roles too.
    slapd.modify(
      `dn: ${GROUP_OPS}\nchangetype: modify\ndelete: member\nmember: uid=erin,ou=people,${LDAP_SUFFIX}\n`,
    );
    await expectError(await signIn('erin'), 403, 'NO_ROLE');
    const after = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { token: first.token }),
      200,
    );
    expect(after).toMatchObject({ roles: [], permissions: [] });
  });
});

describe('LDAP configuration and transport', () => {
  it('tries the directory first by default and still finds local break-glass accounts', async () => {
    const slapd = await startSlapd(LDAP_PORT);
    const hub = await startHub(
      'sqlite',
      ldapEnv(slapd.url, { TYTO_AUTH_DEFAULT_PROVIDER: 'ldap' }),
    );
    try {
      const res = await expectJson<{ user: { roles: string[] } }>(
        await login(hub, { username: 'bob', password: LDAP_USER_PASSWORD }),
        200,
      );
      expect(res.user.roles).toEqual(['viewer']);
      await hub.login();
      // Without `provider` the directory is asked, so a blank password is a wrong one: 401,
      // for the directory and the local accounts after it alike, with nothing sent to slapd.
      const before = { binds: slapd.binds(), connections: slapd.connections() };
      for (const json of [
        { username: 'bob' },
        { username: 'bob', password: '' },
        { username: 'bob', password: '  ' },
        { username: 'admin' },
        { username: 'admin', password: '' },
      ]) {
        await expectError(await login(hub, json), 401, 'INVALID_CREDENTIALS');
      }
      expect({ binds: slapd.binds(), connections: slapd.connections() }).toEqual(before);
    } finally {
      await hub.close();
      await slapd.stop();
    }
  });

  it('gives the default role to a user in no mapped group when one is set', async () => {
    const slapd = await startSlapd(LDAP_PORT);
    const hub = await startHub('sqlite', ldapEnv(slapd.url, { TYTO_LDAP_DEFAULT_ROLE: 'viewer' }));
    try {
      const res = await expectJson<{ user: { roles: string[] } }>(
        await login(hub, { username: 'carol', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        200,
      );
      expect(res.user.roles).toEqual(['viewer']);
    } finally {
      await hub.close();
      await slapd.stop();
    }
  });

  it('refuses an LDAPS server whose certificate comes from an unknown CA, and accepts it with TYTO_LDAP_CA_FILE', async () => {
    const cert = selfSignedCertificate();
    const slapd = await startSlapd(LDAPS_PORT, { tls: cert });
    const untrusted = await startHub('sqlite', ldapEnv(slapd.url));
    const trusted = await startHub(
      'sqlite',
      ldapEnv(slapd.url, { TYTO_LDAP_CA_FILE: cert.certFile }),
    );
    try {
      const before = slapd.binds();
      await expectError(
        await login(untrusted, {
          username: 'alice',
          password: LDAP_USER_PASSWORD,
          provider: 'ldap',
        }),
        503,
        'DIRECTORY_UNAVAILABLE',
      );
      expect(slapd.binds()).toBe(before);
      await expectJson(
        await login(trusted, { username: 'alice', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        200,
      );
    } finally {
      await untrusted.close();
      await trusted.close();
      await slapd.stop();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });

  it('upgrades ldap:// with StartTLS and verifies the certificate there too', async () => {
    const cert = selfSignedCertificate();
    const slapd = await startSlapd(LDAPS_PORT, { tls: { ...cert, startTls: true } });
    const env = { TYTO_LDAP_START_TLS: 'true' };
    const untrusted = await startHub('sqlite', ldapEnv(slapd.url, env));
    const trusted = await startHub(
      'sqlite',
      ldapEnv(slapd.url, { ...env, TYTO_LDAP_CA_FILE: cert.certFile }),
    );
    try {
      const before = slapd.binds();
      await expectError(
        await login(untrusted, {
          username: 'alice',
          password: LDAP_USER_PASSWORD,
          provider: 'ldap',
        }),
        503,
        'DIRECTORY_UNAVAILABLE',
      );
      // The refused upgrade sent no credentials.
      expect(slapd.binds()).toBe(before);
      await expectJson(
        await login(trusted, { username: 'alice', password: LDAP_USER_PASSWORD, provider: 'ldap' }),
        200,
      );
      expect(slapd.log().some((l) => l.includes('EXT oid=1.3.6.1.4.1.1466.20037'))).toBe(true);
    } finally {
      await untrusted.close();
      await trusted.close();
      await slapd.stop();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });

  it('reports a misconfigured directory at start and on /auth/providers, and local sign-in works', async () => {
    const hub = await startHub('sqlite', {
      TYTO_LDAP_URL: 'ldap://127.0.0.1:18403',
      TYTO_LDAP_ROLE_MAP: '{not json',
    });
    try {
      const res = await expectJson<{ misconfigured: unknown[] }>(
        await hub.fetch('/api/v1/auth/providers'),
        200,
      );
      expect(res.misconfigured).toEqual([{ id: 'ldap', error: 'TYTO_LDAP_BIND_DN is required' }]);
      await hub.login();
      await expectError(
        await login(hub, { username: 'alice', password: 'x-password', provider: 'ldap' }),
        503,
        'DIRECTORY_UNAVAILABLE',
      );
    } finally {
      await hub.close();
    }
  });

  it('answers 400 UNKNOWN_PROVIDER for provider ldap when no directory is configured', async () => {
    const hub = await startHub('sqlite');
    try {
      await expectError(
        await login(hub, { username: 'alice', password: 'x-password', provider: 'ldap' }),
        400,
        'UNKNOWN_PROVIDER',
      );
    } finally {
      await hub.close();
    }
  });
});
