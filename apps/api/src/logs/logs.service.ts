import { Inject, Injectable } from '@nestjs/common';
import {
  logHistogramInterval,
  parseLogSearch,
  type LogHistogramQuery,
  type LogHistogramResponse,
  type LogListResponse,
  type LogQuery,
  type LogSource,
  type LogStreamQuery,
} from '@tyto/contracts';
import { LOG_STORE, type LogFilter, type LogStore } from './log-store';

/** The filters of a query or a tail; `q` was checked by the schema, so it parses. */
export function toFilter(
  q: LogQuery | LogStreamQuery | LogHistogramQuery,
  withRange: boolean,
): LogFilter {
  return {
    agentId: q.agent_id,
    source: q.source,
    sourceName: q.source_name,
    levels: q.level,
    search: q.q !== undefined ? parseLogSearch(q.q) : undefined,
    from: withRange && q.from ? Date.parse(q.from) : undefined,
    to: withRange && q.to ? Date.parse(q.to) : undefined,
  };
}

const HOUR_MS = 3_600_000;

/** Reads of the stored logs. */
@Injectable()
export class LogsService {
  constructor(@Inject(LOG_STORE) private readonly store: LogStore) {}

  async query(q: LogQuery): Promise<LogListResponse> {
    const page = await this.store.query(toFilter(q, true), q.limit, q.offset);
    return { entries: page.entries, total: page.total, total_estimated: page.estimated };
  }

  /**
   * Matches per time bar, counted in the database: `to` defaults to now, `from` to the oldest
   * match (the last hour when nothing matches); bars start on multiples of the interval.
   */
  async histogram(q: LogHistogramQuery, now = Date.now()): Promise<LogHistogramResponse> {
    const filter = toFilter(q, true);
    const to = filter.to ?? now;
    const from = filter.from ?? (await this.store.oldestMatch({ ...filter, to })) ?? to - HOUR_MS;
    const interval = logHistogramInterval(to - from, q.buckets, q.interval);
    const start = Math.floor(from / interval) * interval;
    const count = Math.floor((to - start) / interval) + 1;
    const rows = await this.store.histogram({ ...filter, from, to }, start, interval);
    const counts = new Array<number>(count).fill(0);
    for (const r of rows) if (r.bucket >= 0 && r.bucket < count) counts[r.bucket] += r.count;
    return {
      from: new Date(start).toISOString(),
      to: new Date(start + count * interval).toISOString(),
      interval_ms: interval,
      buckets: counts.map((n, i) => ({
        timestamp: new Date(start + i * interval).toISOString(),
        count: n,
      })),
      total: counts.reduce((a, b) => a + b, 0),
    };
  }

  sources(agentId?: string): Promise<{ source: LogSource; source_name: string }[]> {
    return this.store.sourceNames(agentId);
  }
}
