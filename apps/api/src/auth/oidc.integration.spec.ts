import type { MeResponse, User } from '@tyto/contracts';
import { expectError, expectJson } from '../test/api';
import { createTestDatabase, DB_KINDS, startHub, type TestHub } from '../test/hub';
import {
  CookieJar,
  FORGING_ALGS,
  idTokenClaims,
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  signIdToken,
  startForgingProvider,
  startOidcProvider,
  unsignedIdToken,
  type ForgingProvider,
  type OidcProviderProcess,
} from '../test/oidc';
import * as jose from 'jose';

// Ports from the sso range (18400–18499).
const PROVIDER_PORT = 18410;
const FORGING_PORT = 18411;
const SECOND_FORGING_PORT = 18412;
const HS_ONLY_PORT = 18413;
const ALG_PROVIDER_PORT = 18414;
const HUB_PORT = 18420;
const PUBLIC_URL = `http://127.0.0.1:${HUB_PORT}`;

const oidcEnv = (issuer: string, extra: Record<string, string> = {}) => ({
  TYTO_PORT: String(HUB_PORT),
  TYTO_PUBLIC_URL: PUBLIC_URL,
  TYTO_OIDC_ISSUER: issuer,
  TYTO_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
  TYTO_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
  TYTO_OIDC_SCOPES: 'openid profile email groups',
  TYTO_OIDC_ROLE_MAP: JSON.stringify({ ops: 'operator', viewers: ['viewer'] }),
  TYTO_OIDC_DISPLAY_NAME: 'Sign in with Test IdP',
  ...extra,
});

const manual = (url: string, jar: CookieJar, init: RequestInit = {}) =>
  fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });

/** GET /oidc/login: the provider URL it redirects to, with the binding cookie in the jar. */
async function startSignIn(hub: TestHub, jar: CookieJar): Promise<URL> {
  const res = await manual(`${hub.baseUrl}/api/v1/auth/oidc/login`, jar);
  expect(res.status).toBe(302);
  jar.take(res);
  return new URL(res.headers.get('location') ?? '');
}

/** The callback URL as the browser would follow it, aimed at the hub under test. */
const callbackUrl = (hub: TestHub, search: string) =>
  `${hub.baseUrl}/api/v1/auth/oidc/callback${search}`;

const ssoError = (res: Response) =>
  new URL(res.headers.get('location') ?? '', PUBLIC_URL).searchParams.get('sso_error');

/**
 * Walks the provider's login (oidc-provider's development form, any password) like a browser
 * and returns the callback URL the provider sends the browser back to.
 */
async function signInAtProvider(start: URL, jar: CookieJar, login: string): Promise<string> {
  let res = await manual(start.href, jar);
  for (let step = 0; step < 10; step++) {
    jar.take(res);
    if (res.status === 200) {
      const html = await res.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`unexpected provider page:\n${html.slice(0, 500)}`);
      const form = new URLSearchParams({ prompt });
      if (prompt === 'login') {
        form.set('login', login);
        form.set('password', 'any-password');
      }
      res = await manual(new URL(action, start).href, jar, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      continue;
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider answered ${res.status} without a redirect`);
    const next = new URL(location, start);
    if (next.href.startsWith(`${PUBLIC_URL}/api/v1/auth/oidc/callback`)) return next.search;
    res = await manual(next.href, jar);
  }
  throw new Error('no callback after 10 provider steps');
}

async function oidcUsers(hub: TestHub, admin: string): Promise<User[]> {
  const { users } = await expectJson<{ users: User[] }>(
    await hub.fetch('/api/v1/users', { token: admin }),
    200,
  );
  return users.filter((u) => u.auth_provider === 'oidc');
}

describe.each(DB_KINDS)('OIDC sign-in against oidc-provider on %s', (kind) => {
  let provider: OidcProviderProcess;
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    provider = await startOidcProvider(
      PROVIDER_PORT,
      `${PUBLIC_URL}/api/v1/auth/oidc/callback`,
      `${PUBLIC_URL}/login`,
    );
    hub = await startHub(kind, oidcEnv(provider.issuer));
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub?.close();
    await provider?.stop();
  });

  it('sends the browser to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const url = await startSignIn(hub, new CookieJar());
    expect(url.origin).toBe(provider.issuer);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(OIDC_CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/v1/auth/oidc/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{20,}$/);
  });

  it('signs in through the provider, lands on the dashboard with the session cookie and the mapped role', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'alice');
    const res = await manual(callbackUrl(hub, search), jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    jar.take(res);
    const session = jar.get('tyto_session');
    expect(session).toBeDefined();
    expect(res.headers.getSetCookie().find((c) => c.startsWith('tyto_session='))).toMatch(
      /HttpOnly/i,
    );
    const me = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { headers: { cookie: `tyto_session=${session}` } }),
      200,
    );
    expect(me).toMatchObject({
      username: 'alice',
      email: 'alice@example.org',
      auth_provider: 'oidc',
      roles: ['operator'],
    });
    const [alice] = (await oidcUsers(hub, admin)).filter((u) => u.username === 'alice');
    expect(alice.provider_roles).toEqual(['operator']);
    // Audited although the callback is a GET.
    const audit = await expectJson<{ entries: { actor_username: string; outcome: string }[] }>(
      await hub.fetch('/api/v1/audit?action=auth.login&limit=1', { token: admin }),
      200,
    );
    expect(audit.entries[0]).toMatchObject({ actor_username: 'alice', outcome: 'success' });
  });

  it('refuses a replayed callback', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'bob');
    const binding = jar.get('tyto_oidc');
    const first = await manual(callbackUrl(hub, search), jar);
    expect(first.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    const replayJar = new CookieJar();
    // The replay carries the binding cookie the first try had (an attacker holding both).
    const replay = await fetch(callbackUrl(hub, search), {
      redirect: 'manual',
      headers: { cookie: `tyto_oidc=${binding}` },
    });
    replayJar.take(replay);
    expect(ssoError(replay)).toBe('OIDC_LOGIN_FAILED');
    expect(replayJar.get('tyto_session')).toBeUndefined();
  });

  it.each([
    ['missing', (s: URLSearchParams) => s.delete('state')],
    ['tampered', (s: URLSearchParams) => s.set('state', `${s.get('state')}x`)],
    ['control-character', (s: URLSearchParams) => s.set('state', `${s.get('state')}\u0000`)],
  ])('refuses a %s state and creates nobody', async (_, change) => {
    const jar = new CookieJar();
    const search = new URLSearchParams(
      await signInAtProvider(await startSignIn(hub, jar), jar, 'carol'),
    );
    change(search);
    const res = await manual(callbackUrl(hub, `?${search}`), jar);
    expect(ssoError(res)).toBe('OIDC_LOGIN_FAILED');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('tyto_session='))).toBe(false);
    expect((await oidcUsers(hub, admin)).some((u) => u.username === 'carol')).toBe(false);
  });

  it('refuses a callback from another browser than the one that started the sign-in', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'bob');
    const res = await fetch(callbackUrl(hub, search), { redirect: 'manual' });
    expect(ssoError(res)).toBe('OIDC_LOGIN_FAILED');
  });

  it('refuses a user whose claims map to no role with NO_ROLE, creating nobody', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'carol');
    const res = await manual(callbackUrl(hub, search), jar);
    expect(ssoError(res)).toBe('NO_ROLE');
    expect((await oidcUsers(hub, admin)).some((u) => u.username === 'carol')).toBe(false);
  });

  it('reads the groups from UserInfo when the ID token carries an Entra-style overage pointer instead', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'grace');
    const res = await manual(callbackUrl(hub, search), jar);
    expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    const [grace] = (await oidcUsers(hub, admin)).filter((u) => u.username === 'grace');
    expect(grace).toMatchObject({ roles: ['operator'], provider_roles: ['operator'] });
  });

  it('refuses with GROUPS_UNAVAILABLE when neither the ID token nor UserInfo has the groups, creating nobody', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'henry');
    const res = await manual(callbackUrl(hub, search), jar);
    expect(ssoError(res)).toBe('GROUPS_UNAVAILABLE');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('tyto_session='))).toBe(false);
    expect((await oidcUsers(hub, admin)).some((u) => u.username === 'henry')).toBe(false);
  });

  it('ends the Tyto session at logout and sends the browser to the end-session endpoint', async () => {
    const jar = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'alice');
    jar.take(await manual(callbackUrl(hub, search), jar));
    const cookie = `tyto_session=${jar.get('tyto_session')}`;
    const res = await hub.fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { cookie, 'x-tyto-csrf': '1' },
    });
    const body = await expectJson<{ logout_url: string }>(res, 200);
    const url = new URL(body.logout_url);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/login`);
    expect((await hub.fetch('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('locks out a user disabled in Tyto although the provider still accepts them, and refuses them a Tyto password', async () => {
    const jar = new CookieJar();
    jar.take(
      await manual(
        callbackUrl(hub, await signInAtProvider(await startSignIn(hub, jar), jar, 'bob')),
        jar,
      ),
    );
    const cookie = `tyto_session=${jar.get('tyto_session')}`;
    const me = await expectJson<MeResponse>(
      await hub.fetch('/api/v1/auth/me', { headers: { cookie } }),
      200,
    );
    await expectError(
      await hub.fetch(`/api/v1/users/${me.id}/password`, {
        method: 'PUT',
        token: admin,
        json: { new_password: 'a-long-new-password' },
      }),
      400,
      'PASSWORD_MANAGED_EXTERNALLY',
    );
    await expectJson(
      await hub.fetch(`/api/v1/users/${me.id}`, {
        method: 'PUT',
        token: admin,
        json: { disabled: true },
      }),
      200,
    );
    expect((await hub.fetch('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
    const again = new CookieJar();
    const search = await signInAtProvider(await startSignIn(hub, again), again, 'bob');
    const res = await manual(callbackUrl(hub, search), again);
    expect(ssoError(res)).toBe('ACCOUNT_DISABLED');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('tyto_session='))).toBe(false);
  });

  it('offers the provider on GET /auth/providers', async () => {
    expect(await expectJson(await hub.fetch('/api/v1/auth/providers'), 200)).toEqual({
      providers: [
        { id: 'local', type: 'local' },
        {
          id: 'oidc',
          type: 'oidc',
          name: 'Sign in with Test IdP',
          login_url: '/api/v1/auth/oidc/login',
        },
      ],
      misconfigured: [],
    });
  });
});

describe.each(['ES256', 'PS256', 'EdDSA'])(
  'OIDC sign-in against oidc-provider signing ID tokens with %s',
  (alg) => {
    let provider: OidcProviderProcess;
    let hub: TestHub;
    let admin: string;

    beforeAll(async () => {
      provider = await startOidcProvider(
        ALG_PROVIDER_PORT,
        `${PUBLIC_URL}/api/v1/auth/oidc/callback`,
        `${PUBLIC_URL}/login`,
        alg,
      );
      // A default role, to show it is not what an overage user gets.
      hub = await startHub(
        'sqlite',
        oidcEnv(provider.issuer, { TYTO_OIDC_DEFAULT_ROLE: 'viewer' }),
      );
      admin = await hub.login();
    });
    afterAll(async () => {
      await hub?.close();
      await provider?.stop();
    });

    it('advertises only that algorithm, and the full flow signs in with the mapped role', async () => {
      const discovery = (await (
        await fetch(`${provider.issuer}/.well-known/openid-configuration`)
      ).json()) as { id_token_signing_alg_values_supported: string[] };
      expect(discovery.id_token_signing_alg_values_supported).toEqual([alg]);
      const jar = new CookieJar();
      const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'alice');
      const res = await manual(callbackUrl(hub, search), jar);
      expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
      jar.take(res);
      const me = await expectJson<MeResponse>(
        await hub.fetch('/api/v1/auth/me', {
          headers: { cookie: `tyto_session=${jar.get('tyto_session')}` },
        }),
        200,
      );
      expect(me).toMatchObject({ username: 'alice', auth_provider: 'oidc', roles: ['operator'] });
    });

    it('refuses an overage user with GROUPS_UNAVAILABLE rather than give the default role', async () => {
      const jar = new CookieJar();
      const search = await signInAtProvider(await startSignIn(hub, jar), jar, 'henry');
      expect(ssoError(await manual(callbackUrl(hub, search), jar))).toBe('GROUPS_UNAVAILABLE');
      expect((await oidcUsers(hub, admin)).some((u) => u.username === 'henry')).toBe(false);
    });
  },
);

describe('OIDC ID token validation (tokens minted by the test)', () => {
  let forger: ForgingProvider;
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    forger = await startForgingProvider(FORGING_PORT);
    hub = await startHub('sqlite', oidcEnv(forger.issuer));
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub?.close();
    await forger?.stop();
  });

  /** Starts a sign-in, lets the forger answer with the token `mint` makes, and calls back. */
  async function callBackWith(
    mint: (nonce: string) => Promise<string> | string,
  ): Promise<Response> {
    const jar = new CookieJar();
    const start = await startSignIn(hub, jar);
    const nonce = start.searchParams.get('nonce') ?? '';
    forger.nextIdToken = await mint(nonce);
    const calls = forger.tokenCalls;
    const res = await manual(
      callbackUrl(hub, `?code=test-code&state=${start.searchParams.get('state')}`),
      jar,
    );
    // The code was exchanged: whatever was refused, it was the token that was checked.
    expect(forger.tokenCalls).toBe(calls + 1);
    return res;
  }

  const valid = (nonce: string, extra: Record<string, unknown> = {}) =>
    signIdToken(idTokenClaims(forger.issuer, nonce, extra), forger.key);

  it('accepts a correctly signed token (the control case)', async () => {
    const res = await callBackWith((nonce) =>
      valid(nonce, { sub: 'control-sub', preferred_username: 'control' }),
    );
    expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    expect((await oidcUsers(hub, admin)).map((u) => u.username)).toContain('control');
  });

  it.each(FORGING_ALGS.filter((a) => a !== 'RS256'))(
    'accepts a token signed with %s, which the provider advertises',
    async (alg) => {
      const name = `signed-${alg.toLowerCase()}`;
      const res = await callBackWith((nonce) =>
        signIdToken(
          idTokenClaims(forger.issuer, nonce, { sub: `${name}-sub`, preferred_username: name }),
          forger.keys[alg].key,
          alg,
          forger.keys[alg].kid,
        ),
      );
      expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
      expect((await oidcUsers(hub, admin)).map((u) => u.username)).toContain(name);
    },
  );

  it.each<[string, (nonce: string) => Promise<string> | string]>([
    [
      'HS256 keyed with the client secret (advertised, but proving nothing about the provider)',
      (nonce) =>
        signIdToken(
          idTokenClaims(forger.issuer, nonce),
          new TextEncoder().encode(OIDC_CLIENT_SECRET),
          'HS256',
        ),
    ],
    [
      'ES256 under the RS256 key id (the header does not match the key)',
      (nonce) =>
        signIdToken(
          idTokenClaims(forger.issuer, nonce),
          forger.keys.ES256.key,
          'ES256',
          forger.kid,
        ),
    ],
    [
      'a bad signature',
      async (nonce) => {
        const { privateKey } = await jose.generateKeyPair('RS256');
        return signIdToken(idTokenClaims(forger.issuer, nonce), privateKey);
      },
    ],
    ['alg none', (nonce) => unsignedIdToken(idTokenClaims(forger.issuer, nonce))],
    [
      'HS256 keyed with the public key',
      async (nonce) => {
        const jwks = (await (await fetch(`${forger.issuer}/jwks`)).json()) as { keys: jose.JWK[] };
        const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
        return signIdToken(idTokenClaims(forger.issuer, nonce), secret, 'HS256');
      },
    ],
    ['a wrong issuer', (nonce) => valid(nonce, { iss: 'http://127.0.0.1:18499' })],
    ['a wrong audience', (nonce) => valid(nonce, { aud: 'another-client' })],
    [
      'an expired token',
      (nonce) => {
        const now = Math.floor(Date.now() / 1000);
        return valid(nonce, { iat: now - 900, exp: now - 120 });
      },
    ],
    ['the wrong nonce', () => valid('not-the-nonce')],
  ])('refuses an ID token with %s and creates nobody', async (_, mint) => {
    const before = (await oidcUsers(hub, admin)).length;
    const res = await callBackWith(mint);
    expect(ssoError(res)).toBe('OIDC_LOGIN_FAILED');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('tyto_session='))).toBe(false);
    expect((await oidcUsers(hub, admin)).length).toBe(before);
  });

  it('makes the same sub from a second issuer a separate account', async () => {
    const db = await createTestDatabase('sqlite');
    const second = await startForgingProvider(SECOND_FORGING_PORT);
    try {
      const ids: string[] = [];
      const names: string[] = [];
      for (const op of [forger, second]) {
        // Beside the suite's hub, so on another port (the public URL stays, it is not called).
        const h = await startHub('sqlite', { ...oidcEnv(op.issuer), TYTO_PORT: '18421' }, db);
        try {
          const jar = new CookieJar();
          const start = await startSignIn(h, jar);
          op.nextIdToken = await signIdToken(
            idTokenClaims(op.issuer, start.searchParams.get('nonce') ?? '', { sub: 'same-sub' }),
            op.key,
          );
          const res = await manual(
            `${h.baseUrl}/api/v1/auth/oidc/callback?code=c&state=${start.searchParams.get('state')}`,
            jar,
          );
          expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
          jar.take(res);
          const me = await expectJson<MeResponse>(
            await h.fetch('/api/v1/auth/me', {
              headers: { cookie: `tyto_session=${jar.get('tyto_session')}` },
            }),
            200,
          );
          ids.push(me.id);
          names.push(me.username);
        } finally {
          await h.close();
        }
      }
      expect(ids[0]).not.toBe(ids[1]);
      // And the second account signs in again under the name it was given.
      const again = await startHub('sqlite', { ...oidcEnv(second.issuer), TYTO_PORT: '18421' }, db);
      try {
        const jar = new CookieJar();
        const start = await startSignIn(again, jar);
        second.nextIdToken = await signIdToken(
          idTokenClaims(second.issuer, start.searchParams.get('nonce') ?? '', { sub: 'same-sub' }),
          second.key,
        );
        const res = await manual(
          `${again.baseUrl}/api/v1/auth/oidc/callback?code=c&state=${start.searchParams.get('state')}`,
          jar,
        );
        expect(res.headers.get('location')).toBe(`${PUBLIC_URL}/`);
      } finally {
        await again.close();
      }
      // Both are named frank by their providers; the second is told apart by its issuer.
      expect(names).toEqual(['frank', `frank@127.0.0.1:${SECOND_FORGING_PORT}`]);
    } finally {
      await second.stop();
      await db.drop();
    }
  });
});

describe('OIDC provider that signs ID tokens only with algorithms Tyto refuses', () => {
  it('is reported as misconfigured at start and on /auth/providers, and local sign-in works', async () => {
    const forger = await startForgingProvider(HS_ONLY_PORT, ['HS256', 'none']);
    const hub = await startHub('sqlite', oidcEnv(forger.issuer));
    try {
      const res = await expectJson<{ providers: { id: string }[]; misconfigured: unknown[] }>(
        await hub.fetch('/api/v1/auth/providers'),
        200,
      );
      expect(res.providers.map((p) => p.id)).toEqual(['local']);
      expect(res.misconfigured).toEqual([
        {
          id: 'oidc',
          error: expect.stringMatching(/signs ID tokens only with HS256, none; Tyto accepts RS256/),
        },
      ]);
      await hub.login();
      const login = await fetch(`${hub.baseUrl}/api/v1/auth/oidc/login`, { redirect: 'manual' });
      expect(login.status).toBe(503);
    } finally {
      await hub.close();
      await forger.stop();
    }
  });
});
