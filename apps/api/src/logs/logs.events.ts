import type { LogEntry } from '@tyto/contracts';

export { LOG_BATCH_EVENT, type LogBatchEvent } from '@tyto/contracts';

/** Published after a batch is stored: the entries with their ids (the live tail sends these). */
export const LOGS_STORED = 'logs.stored';
export type LogsStoredEvent = LogEntry[];
