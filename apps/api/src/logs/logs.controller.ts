import { Controller, Get, Res } from '@nestjs/common';
import {
  LogHistogramQuerySchema,
  LogHistogramResponseSchema,
  LogListResponseSchema,
  LogQuerySchema,
  LogStreamQuerySchema,
  type LogHistogramQuery,
  type LogHistogramResponse,
  type LogListResponse,
  type LogQuery,
  type LogStreamQuery,
  type Permission,
} from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/access.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidQuery } from '../common/validation';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { LogStreamHub } from './log-stream-hub.service';
import { LogsService, toFilter } from './logs.service';

/** Held for as long as a tail is open, not just when it opens. */
const LOGS_PERMISSION: Permission = 'logs:view';

@Controller('api/v1/logs')
export class LogsController {
  constructor(
    private readonly logs: LogsService,
    private readonly tails: LogStreamHub,
  ) {}

  @Get()
  @ApiDoc({
    summary: 'Query logs (newest first, full-text search)',
    response: LogListResponseSchema,
  })
  @Auth(LOGS_PERMISSION)
  query(@ValidQuery(LogQuerySchema) query: LogQuery): Promise<LogListResponse> {
    return this.logs.query(query);
  }

  /** Matches per time bar for the same filters as the query (the explorer's histogram). */
  @Get('histogram')
  @ApiDoc({
    summary: 'Log matches per time bucket (same filters as the query)',
    response: LogHistogramResponseSchema,
  })
  @Auth(LOGS_PERMISSION)
  histogram(
    @ValidQuery(LogHistogramQuerySchema) query: LogHistogramQuery,
  ): Promise<LogHistogramResponse> {
    return this.logs.histogram(query);
  }

  /** SSE: `event: log` per new line matching the filters, from the moment of connection. */
  @Get('stream')
  @ApiDoc({ summary: 'Live log tail (Server-Sent Events)', produces: ['text/event-stream'] })
  @Auth(LOGS_PERMISSION)
  stream(
    @ValidQuery(LogStreamQuerySchema) query: LogStreamQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): void {
    reply.hijack();
    this.tails.open(reply.raw, principal, LOGS_PERMISSION, toFilter(query, false));
  }
}
