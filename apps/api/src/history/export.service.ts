import { Injectable } from '@nestjs/common';
import type { ExportQuery, HistoryResponse, MetricsSnapshot } from '@tyto/contracts';
import { notFound } from '../common/errors';
import { LatestSamplesService } from '../metrics/latest-samples.service';
import { toCsv } from './csv';
import { HistoryQueryService } from './history-query.service';

export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

/** `20240115T093000Z`: sortable, and safe in a file name on every OS. */
const fileStamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/\.\d{3}/, '')
    .replace(/[-:]/g, '');

/**
 * Metrics export. JSON: `{agent_id, exported_at, snapshot, history?}`. CSV: one row, the
 * flattened current snapshot; with `from`/`to`, one row per history point instead (a snapshot and
 * a series do not share columns).
 */
@Injectable()
export class ExportService {
  constructor(
    private readonly latest: LatestSamplesService,
    private readonly history: HistoryQueryService,
  ) {}

  async export(q: ExportQuery, now = Date.now()): Promise<ExportFile> {
    const snapshot: MetricsSnapshot | null = this.latest.get(q.agent_id) ?? null;
    const ranged = q.from !== undefined || q.to !== undefined;
    const history: HistoryResponse | null = ranged ? await this.history.history(q, now) : null;
    if (!snapshot && !history) throw notFound(`Current metrics of agent '${q.agent_id}'`);
    const base = `tyto-metrics-${q.agent_id.replace(/[^\w.-]/g, '_')}-${fileStamp(now)}`;
    switch (q.format) {
      case 'json':
        return {
          filename: `${base}.json`,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify({
            agent_id: q.agent_id,
            exported_at: new Date(now).toISOString(),
            snapshot,
            ...(history ? { history } : {}),
          }),
        };
      case 'csv':
        return {
          filename: `${base}.csv`,
          contentType: 'text/csv; charset=utf-8',
          body: toCsv(history ? history.data : [snapshot]),
        };
    }
  }
}
