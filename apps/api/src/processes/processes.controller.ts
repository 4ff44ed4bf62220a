import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ProcessDetailSchema,
  ProcessListQuerySchema,
  ProcessListResponseSchema,
  ProcessQuerySchema,
  SignalRequestSchema,
  SignalResponseSchema,
  type ProcessDetail,
  type ProcessListQuery,
  type ProcessListResponse,
  type ProcessQuery,
  type SignalResponse,
} from '@tyto/contracts';
import type { ZodType } from 'zod';
import { AuditAction } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { BODY_SCHEMA_KEY, QUERY_SCHEMA_KEY, ValidQuery } from '../common/validation';
import { LOCAL_AGENT_ID } from '../metrics/local-sampler.service';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ProcessesService } from './processes.service';
import { PidParam, ValidSignalAttempt, type SignalAttempt } from './signal-attempt';

// The signal route validates in @ValidSignalAttempt, after noting what was asked, so a refused
// attempt is audited with the pid and signal it named. This records its schemas for the
// OpenAPI document as @ValidBody/@ValidQuery would.
const documents =
  (key: string, schema: ZodType): MethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata(key, schema, descriptor.value as object);
  };

@Controller('api/v1/processes')
export class ProcessesController {
  constructor(private readonly processes: ProcessesService) {}

  @Get()
  @ApiDoc({ summary: 'List the processes of a host', response: ProcessListResponseSchema })
  @Auth('processes:view')
  list(@ValidQuery(ProcessListQuerySchema) q: ProcessListQuery): Promise<ProcessListResponse> {
    return this.processes.list(q);
  }

  @Get(':pid')
  @ApiDoc({ summary: 'Get process details', response: ProcessDetailSchema })
  @Auth('processes:view')
  detail(
    @PidParam() pid: number,
    @ValidQuery(ProcessQuerySchema) q: ProcessQuery,
  ): Promise<ProcessDetail> {
    return this.processes.detail(q.agent_id ?? LOCAL_AGENT_ID, pid);
  }

  @Post(':pid/signal')
  @ApiDoc({ summary: 'Send a signal to a process', response: SignalResponseSchema })
  @Auth('processes:signal')
  @AuditAction('process.signal')
  @HttpCode(200)
  @documents(BODY_SCHEMA_KEY, SignalRequestSchema)
  @documents(QUERY_SCHEMA_KEY, ProcessQuerySchema)
  async signal(@ValidSignalAttempt() a: SignalAttempt): Promise<SignalResponse> {
    try {
      return await this.processes.signal(a.agentId, a.pid, a.signal, a.startTime, a.facts);
    } catch (e) {
      a.facts.result ??= (e as { code?: string }).code ?? 'error';
      throw e;
    }
  }
}
