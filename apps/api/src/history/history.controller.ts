import { Controller, Get, Res } from '@nestjs/common';
import {
  ExportQuerySchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  ProcessHistoryQuerySchema,
  ProcessHistoryResponseSchema,
  type ExportQuery,
  type HistoryQuery,
  type HistoryResponse,
  type ProcessHistoryQuery,
  type ProcessHistoryResponse,
} from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ValidQuery } from '../common/validation';
import { ExportService } from './export.service';
import { HistoryQueryService } from './history-query.service';

@Controller('api/v1')
export class HistoryController {
  constructor(
    private readonly query: HistoryQueryService,
    private readonly exports: ExportService,
  ) {}

  @Get('history')
  @ApiDoc({ summary: 'Metrics history of one agent', response: HistoryResponseSchema })
  @Auth('dashboard:view')
  history(@ValidQuery(HistoryQuerySchema) q: HistoryQuery): Promise<HistoryResponse> {
    return this.query.history(q);
  }

  /** Process names and command lines: the same permission as the live process list. */
  @Get('history/processes')
  @ApiDoc({ summary: 'Top processes during one minute', response: ProcessHistoryResponseSchema })
  @Auth('processes:view')
  processes(
    @ValidQuery(ProcessHistoryQuerySchema) q: ProcessHistoryQuery,
  ): Promise<ProcessHistoryResponse> {
    return this.query.processes(q);
  }

  @Get('export/metrics')
  @ApiDoc({
    summary: 'Export a snapshot or a history range as JSON or CSV',
    produces: ['application/json', 'text/csv'],
  })
  @Auth('metrics:export')
  async exportMetrics(
    @ValidQuery(ExportQuerySchema) q: ExportQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    const file = await this.exports.export(q);
    void res.header('Content-Type', file.contentType);
    void res.header('Content-Disposition', `attachment; filename="${file.filename}"`);
    return file.body;
  }
}
