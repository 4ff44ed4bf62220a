/**
 * What the hub reads from an ID token beyond what openid-client checks: which signing algorithms
 * it accepts, and where the role claim is (or that the provider left it out).
 */

/**
 * The JWS algorithms an ID token may be signed with: asymmetric ones openid-client verifies
 * against the provider's JWKS. Never `none`, and never HS*: those are keyed with the client secret
 * (or, forged, with the public key), which proves nothing about the provider.
 */
export const ID_TOKEN_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/**
 * The algorithms Tyto accepts from a provider: those its discovery document advertises
 * (`id_token_signing_alg_values_supported`; RS256 when it lists none, as OpenID Connect
 * Discovery says) that are in ID_TOKEN_ALGORITHMS.
 */
export function acceptedAlgorithms(advertised: unknown): string[] {
  const listed = Array.isArray(advertised)
    ? advertised.filter((a): a is string => typeof a === 'string')
    : ['RS256'];
  return ID_TOKEN_ALGORITHMS.filter((a) => listed.includes(a));
}

/** The `alg` of a compact JWS's protected header, or null when it has none. */
export function headerAlg(jwt: string): string | null {
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
    const alg = (header as { alg?: unknown } | null)?.alg;
    return typeof alg === 'string' ? alg : null;
  } catch {
    return null;
  }
}

/**
 * Whether the claims say the role claim was left out for a pointer elsewhere: an OpenID
 * "distributed claim" (`_claim_names.groups` with `_claim_sources`), which Microsoft Entra ID
 * sends instead of `groups` for a user in more groups than fit in a token (the "group
 * overage"), or Entra's `hasgroups: true`. Such a user's groups are unknown, not empty.
 */
export function claimLeftOut(claims: Record<string, unknown>, path: string): boolean {
  const top = path.split('.')[0];
  if (claims[top] !== undefined) return false;
  const names = claims['_claim_names'];
  const distributed =
    names !== null && typeof names === 'object' && Object.hasOwn(names as object, top);
  return distributed || (top === 'groups' && claims['hasgroups'] === true);
}

/** The value at a dotted path of the claims (`realm_access.roles`), as a list of strings. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let v: unknown = claims;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return [];
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
