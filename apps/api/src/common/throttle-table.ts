interface Attempts {
  /** Attempts counted in the current window (failed, or still running). */
  count: number;
  windowStart: number;
  /** Epoch ms the lock ends; 0 while not locked. */
  lockedUntil: number;
}

/**
 * Counts attempts per key within a window; `limit` of them lock the key for the window's length.
 * Bounded to `maxEntries` keys without ever evicting a locked one: when full, keys whose window
 * and lock have passed go first (swept at most once a second), then the least recently used
 * unlocked ones; when every key is
 * locked, a new key is refused (`room` returns a retry delay) rather than a lock forgotten.
 * Evicting an unlocked key loses fewer than `limit` attempts, which an attacker could as well
 * reset by changing address; forgetting a locked one would hand out a fresh budget of guesses.
 * Filling the whole table with locks costs `limit × maxEntries` attempts within one window.
 */
export class ThrottleTable {
  private readonly entries = new Map<string, Attempts>();
  private sweptAt = -Infinity;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Seconds until the key's lock ends, or null when it is not locked. */
  lockedFor(key: string, now: number): number | null {
    const a = this.entries.get(key);
    return a && a.lockedUntil > now ? secondsUntil(a.lockedUntil, now) : null;
  }

  /**
   * Makes room for the key if it is new. Null when there is (or it is known); otherwise seconds
   * until the first lock in the full table ends.
   */
  room(key: string, now: number): number | null {
    if (this.entries.has(key) || this.entries.size < this.maxEntries) return null;
    // A full sweep at most once a second, so a flood of new keys costs no scan per attempt.
    if (now - this.sweptAt >= SWEEP_EVERY_MS) {
      this.sweptAt = now;
      for (const [k, a] of this.entries) {
        if (a.lockedUntil <= now && now - a.windowStart >= this.windowMs) this.entries.delete(k);
      }
      if (this.entries.size < this.maxEntries) return null;
    }
    // Map order is least recently used first (add re-inserts).
    let firstUnlock = Infinity;
    for (const [k, a] of this.entries) {
      if (a.lockedUntil <= now) {
        this.entries.delete(k);
        return null;
      }
      firstUnlock = Math.min(firstUnlock, a.lockedUntil);
    }
    return secondsUntil(firstUnlock, now);
  }

  /** Counts an attempt (call `room` first); the `limit`-th in a window locks the key. */
  add(key: string, now: number): void {
    let a = this.entries.get(key);
    if (!a || a.lockedUntil > 0 || now - a.windowStart >= this.windowMs) {
      a = { count: 0, windowStart: now, lockedUntil: 0 };
    }
    a.count += 1;
    if (a.count >= this.limit) a.lockedUntil = now + this.windowMs;
    this.entries.delete(key);
    this.entries.set(key, a);
  }

  /** Takes one counted attempt back (it succeeded, or never ran); lifts a lock it caused. */
  forgive(key: string): void {
    const a = this.entries.get(key);
    if (!a) return;
    a.count = Math.max(0, a.count - 1);
    if (a.count < this.limit) a.lockedUntil = 0;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

const SWEEP_EVERY_MS = 1000;

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));
