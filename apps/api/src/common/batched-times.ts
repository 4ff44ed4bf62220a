import { Logger } from '@nestjs/common';

/** How often batched use times reach the database. */
export const BATCH_EVERY_MS = 30_000;

/**
 * Use times (a session's last request, a token's last use) kept in memory and written in one
 * batch every BATCH_EVERY_MS, so the request path never waits on a write. `stop()` writes what
 * is left; a failed write is logged and the times are dropped (they only ever move forward).
 */
export class BatchedTimes {
  private readonly unsaved = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;

  constructor(
    private readonly what: string,
    private readonly write: (batch: { id: string; at: string }[]) => Promise<void>,
    context: string,
  ) {
    this.logger = new Logger(context);
  }

  start(everyMs = BATCH_EVERY_MS): void {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  set(id: string, at: number): void {
    this.unsaved.set(id, at);
  }

  /** The newest time not yet written, if any. */
  get(id: string): number | undefined {
    return this.unsaved.get(id);
  }

  delete(id: string): void {
    this.unsaved.delete(id);
  }

  async flush(): Promise<void> {
    if (this.unsaved.size === 0) return;
    const batch = [...this.unsaved].map(([id, at]) => ({ id, at: new Date(at).toISOString() }));
    this.unsaved.clear();
    try {
      await this.write(batch);
    } catch (e) {
      this.logger.warn(`saving ${this.what} failed: ${(e as Error).message}`);
    }
  }
}
