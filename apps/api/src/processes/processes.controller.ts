import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  PidParamSchema,
  ProcessDetailSchema,
  ProcessListQuerySchema,
  ProcessListResponseSchema,
  ProcessQuerySchema,
  SignalRequestSchema,
  SignalResponseSchema,
  toSignalName,
  type SignalName,
  type ProcessDetail,
  type ProcessListQuery,
  type ProcessListResponse,
  type ProcessQuery,
  type SignalResponse,
} from '@tyto/contracts';
import type { ZodType } from 'zod';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { BODY_SCHEMA_KEY, QUERY_SCHEMA_KEY, ValidQuery, ZodPipe } from '../common/validation';
import { LOCAL_AGENT_ID } from '../metrics/local-sampler.service';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ProcessesService, type SignalFacts } from './processes.service';

const pidPipe = new ZodPipe<number>(PidParamSchema, 'param:pid');

// The signal route validates inside the handler, after noting what was asked, so a refused
// attempt is audited with the pid and signal it named. These record the schemas for the
// OpenAPI document as @ValidBody/@ValidQuery would.
const documents =
  (key: string, schema: ZodType): MethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata(key, schema, descriptor.value as object);
  };

/** A short printable form of whatever the client sent, for the audit entry. */
const asked = (v: unknown): unknown =>
  typeof v === 'string' ? v.slice(0, 64) : typeof v === 'number' ? v : v === undefined ? null : '?';

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
    @Param('pid', pidPipe) pid: number,
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
  async signal(
    @Param('pid') rawPid: string,
    @Body() rawBody: unknown,
    @Query() rawQuery: unknown,
    @Audit() note: AuditNote,
  ): Promise<SignalResponse> {
    const rawAgent = (rawQuery as Record<string, unknown> | null)?.['agent_id'];
    const facts: SignalFacts & Record<string, unknown> = {
      agent_id: asked(rawAgent ?? LOCAL_AGENT_ID),
      pid: asked(rawPid),
      signal: asked((rawBody as Record<string, unknown> | null)?.['signal']),
    };
    note.details = facts;
    try {
      const q = new ZodPipe(ProcessQuerySchema, 'query').transform(rawQuery);
      const pid = pidPipe.transform(rawPid);
      const body = new ZodPipe(SignalRequestSchema).transform(rawBody);
      const name = toSignalName(body.signal) as SignalName;
      facts.signal = name;
      return await this.processes.signal(
        q.agent_id ?? LOCAL_AGENT_ID,
        pid,
        name,
        body.start_time,
        facts,
      );
    } catch (e) {
      facts.result ??= (e as { code?: string }).code ?? 'error';
      throw e;
    }
  }
}
