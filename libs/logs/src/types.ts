import type { LogLine } from '@tyto/contracts';

/**
 * Takes a batch of lines. A reader remembers its position only after the promise resolves, so a
 * batch the sink did not take is read again after a restart.
 */
export type LogSink = (lines: LogLine[]) => Promise<void> | void;

/** Reports a problem with a source (missing, unreadable); each distinct message once. */
export type LogReport = (message: string) => void;

export interface LogReader {
  start(): void;
  /** Stops reading and releases files, sockets and child processes. */
  close(): Promise<void>;
}

/** Lines per sink call: a burst becomes several bounded batches. */
export const BATCH_LINES = 1000;

/** Wraps a report so each distinct message is passed on once. */
export function reportOnce(report: LogReport): LogReport {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    report(message);
  };
}
