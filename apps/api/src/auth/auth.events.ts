/** Event names on the hub's bus, with their payloads. */

/**
 * Sessions or the principals behind them changed (logout, ended sessions, a user's roles or a
 * role's permissions): whoever holds a principal beyond one request (open streams) re-checks
 * it. `userId` absent means any user may be affected.
 */
export const AUTH_SESSIONS_CHANGED = 'auth.sessions.changed';
export interface AuthSessionsChangedEvent {
  userId?: string;
}

/** One session ended (logout): every replica drops its cached principal of it. */
export const AUTH_SESSION_ENDED = 'auth.session.ended';
