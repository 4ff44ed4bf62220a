import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import * as jose from 'jose';

/** The client the fixture provider knows (fixtures/oidc-provider.mjs). */
export const OIDC_CLIENT_ID = 'tyto';
export const OIDC_CLIENT_SECRET = 'tyto-test-secret';

export interface OidcProviderProcess {
  issuer: string;
  stop(): Promise<void>;
}

/**
 * Runs oidc-provider (ESM-only, so not inside Jest) as a child `node` process on a loopback port,
 * with the hub's redirect URI registered.
 */
export async function startOidcProvider(
  port: number,
  redirectUri: string,
  postLogoutUri: string,
  /** The one algorithm the provider signs ID tokens with and advertises (default RS256). */
  idTokenAlg = 'RS256',
): Promise<OidcProviderProcess> {
  const script = path.join(__dirname, 'fixtures', 'oidc-provider.mjs');
  const child: ChildProcess = spawn(
    process.execPath,
    [script, String(port), redirectUri, postLogoutUri, idTokenAlg],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`oidc-provider did not start:\n${output}`)),
      15_000,
    );
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited (${code}):\n${output}`));
    });
  });
  await ready;
  return {
    issuer: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The algorithms the forging provider holds a published key for. */
export const FORGING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type ForgingAlg = (typeof FORGING_ALGS)[number];

export interface ForgingProvider {
  issuer: string;
  /** The RS256 key the JWKS publishes (kid `test-key-1`). */
  key: jose.CryptoKey;
  kid: string;
  /** A published private key per algorithm, with its kid. */
  keys: Record<ForgingAlg, { key: jose.CryptoKey; kid: string }>;
  /** The ID token the token endpoint answers with next (set per test). */
  nextIdToken: string;
  /** Token endpoint calls seen (the hub exchanged a code). */
  tokenCalls: number;
  stop(): Promise<void>;
}

/**
 * A minimal OpenID provider the test controls: discovery, a JWKS and a token endpoint that
 * answers with whatever ID token the test minted (with jose), to prove the hub refuses forged,
 * unsigned, foreign, mis-addressed, expired and wrong-nonce tokens. `advertised` is its
 * `id_token_signing_alg_values_supported`: by default every algorithm it has a key for, and also
 * `HS256` and `none`, which the hub must refuse although the provider lists them.
 */
export async function startForgingProvider(
  port: number,
  advertised: string[] = [...FORGING_ALGS, 'HS256', 'none'],
): Promise<ForgingProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const keys = {} as ForgingProvider['keys'];
  const jwks: jose.JWK[] = [];
  for (const alg of FORGING_ALGS) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const kid = alg === 'RS256' ? 'test-key-1' : `test-key-${alg.toLowerCase()}`;
    keys[alg] = { key: privateKey, kid };
    jwks.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
  }
  const state: ForgingProvider = {
    issuer,
    key: keys.RS256.key,
    kid: keys.RS256.kid,
    keys,
    nextIdToken: '',
    tokenCalls: 0,
    stop: async () => undefined,
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: advertised,
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return json(res, { keys: jwks });
    if (url.pathname === '/token' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        state.tokenCalls++;
        json(res, {
          access_token: 'forged-access-token',
          token_type: 'Bearer',
          expires_in: 300,
          id_token: state.nextIdToken,
        });
      });
      return undefined;
    }
    res.writeHead(404).end();
    return undefined;
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Claims of a valid ID token from `issuer` for the tyto client, overridable per test. */
export function idTokenClaims(
  issuer: string,
  nonce: string,
  extra: Record<string, unknown> = {},
): jose.JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: OIDC_CLIENT_ID,
    sub: 'shared-sub',
    iat: now,
    exp: now + 300,
    nonce,
    preferred_username: 'frank',
    groups: ['ops'],
    ...extra,
  };
}

export const signIdToken = (
  claims: jose.JWTPayload,
  key: jose.CryptoKey | Uint8Array,
  alg = 'RS256',
  kid = 'test-key-1',
) => new jose.SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key);

/** An unsigned (`alg: none`) JWT. */
export const unsignedIdToken = (claims: jose.JWTPayload) => new jose.UnsecuredJWT(claims).encode();

/** A cookie jar for fetch: enough for one browser-like walk through the redirects. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
