import { Controller, Get } from '@nestjs/common';
import {
  HistoryQuerySchema,
  ProcessHistoryQuerySchema,
  type HistoryQuery,
  type HistoryResponse,
  type ProcessHistoryQuery,
  type ProcessHistoryResponse,
} from '@tyto/contracts';
import { Auth } from '../common/access.decorator';
import { ValidQuery } from '../common/validation';
import { HistoryQueryService } from './history-query.service';

@Controller('api/v1')
export class HistoryController {
  constructor(private readonly query: HistoryQueryService) {}

  @Get('history')
  @Auth('dashboard:view')
  history(@ValidQuery(HistoryQuerySchema) q: HistoryQuery): Promise<HistoryResponse> {
    return this.query.history(q);
  }

  /** Process names and command lines: the same permission as the live process list. */
  @Get('history/processes')
  @Auth('processes:view')
  processes(
    @ValidQuery(ProcessHistoryQuerySchema) q: ProcessHistoryQuery,
  ): Promise<ProcessHistoryResponse> {
    return this.query.processes(q);
  }
}
