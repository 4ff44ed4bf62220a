/**
 * Runs an async task now and then every `intervalMs`, never two at once (a slow Docker engine
 * must not pile up requests). Timers are unref'd: the owner's lifetime decides when to stop.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private first: Promise<void> | null = null;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Starts the schedule; the promise settles when the first run has finished. */
  start(): Promise<void> {
    if (this.first) return this.first;
    this.first = this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return this.first;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.task()
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}

/** Waits for `p` but no longer than `ms`. */
export function within(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}
