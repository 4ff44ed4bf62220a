/** Event names on the hub's bus, with their payloads. */

/**
 * Ends sessions of a user (all, or all but one): emitted with `emitAsync` and awaited, so the
 * sessions are gone before the request that disabled the user or reset the password answers.
 */
export const USER_SESSIONS_END = 'user.sessions.end';
export interface UserSessionsEndEvent {
  userId: string;
  exceptSessionId?: string;
}

/** A user's roles, email or state changed: cached principals of that user are stale. */
export const USER_CHANGED = 'user.changed';
export interface UserChangedEvent {
  userId: string;
}
