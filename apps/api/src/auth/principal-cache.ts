import type { Principal } from '../common/principal';

interface Entry {
  principal: Principal;
  /** Epoch ms the session ends, whatever its use. */
  expiresAt: number;
  /** Epoch ms of the last request (in memory; written back in batches). */
  lastSeenAt: number;
  /** Epoch ms the entry was read from the database. */
  loadedAt: number;
}

/**
 * Session token hash → principal, so an authenticated request needs no database round trip in
 * the common case. Bounded (oldest entry out first) and short-lived: every change that could
 * alter a principal (logout, password, disable, roles, role permissions) drops entries at once
 * through the bus, and the TTL bounds what a change made outside this process (another replica
 * without Redis, a hand-edited database) can leave behind.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(tokenHash: string, now: number): Entry | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.loadedAt >= this.ttlMs) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry;
  }

  set(tokenHash: string, entry: Entry): void {
    this.entries.delete(tokenHash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(tokenHash, entry);
  }

  delete(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  /** Drops every entry of a user, or every entry when no user is given. */
  dropUser(userId?: string): void {
    if (userId === undefined) {
      this.entries.clear();
      return;
    }
    for (const [hash, e] of this.entries)
      if (e.principal.userId === userId) this.entries.delete(hash);
  }

  dropSession(sessionId: string): void {
    for (const [hash, e] of this.entries) {
      if (e.principal.sessionId === sessionId) this.entries.delete(hash);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
