import { Inject, Injectable } from '@nestjs/common';
import {
  parseLogSearch,
  type LogListResponse,
  type LogQuery,
  type LogSource,
  type LogStreamQuery,
} from '@tyto/contracts';
import { LOG_STORE, type LogFilter, type LogStore } from './log-store';

/** The filters of a query or a tail; `q` was checked by the schema, so it parses. */
export function toFilter(q: LogQuery | LogStreamQuery, withRange: boolean): LogFilter {
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

/** Reads of the stored logs. */
@Injectable()
export class LogsService {
  constructor(@Inject(LOG_STORE) private readonly store: LogStore) {}

  async query(q: LogQuery): Promise<LogListResponse> {
    const page = await this.store.query(toFilter(q, true), q.limit, q.offset);
    return { entries: page.entries, total: page.total, total_estimated: page.estimated };
  }

  sources(agentId?: string): Promise<{ source: LogSource; source_name: string }[]> {
    return this.store.sourceNames(agentId);
  }
}
