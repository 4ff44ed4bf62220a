/** Event names on the hub's bus, with their payloads. */

/**
 * An API token was revoked: every replica drops its cached principal at once (and open streams
 * re-check through AUTH_SESSIONS_CHANGED).
 */
export const TOKEN_REVOKED = 'token.revoked';
export interface TokenRevokedEvent {
  tokenId: string;
  userId: string;
}
