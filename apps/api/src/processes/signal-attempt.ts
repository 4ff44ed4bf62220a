import { createParamDecorator, Param, type ExecutionContext } from '@nestjs/common';
import {
  PidParamSchema,
  ProcessQuerySchema,
  SignalRequestSchema,
  toSignalName,
  type SignalName,
} from '@tyto/contracts';
import type { FastifyRequest } from 'fastify';
import { auditNoteOf } from '../audit/audit.decorator';
import { ZodPipe } from '../common/validation';
import { LOCAL_AGENT_ID } from '../metrics/local-sampler.service';
import type { SignalFacts } from './processes.service';

const pidPipe = new ZodPipe<number>(PidParamSchema, 'param:pid');
const queryPipe = new ZodPipe(ProcessQuerySchema, 'query');
const bodyPipe = new ZodPipe(SignalRequestSchema);

/** `@PidParam()`: the `:pid` path parameter as a number, validated (2 … PID_MAX). */
export const PidParam = () => Param('pid', pidPipe);

/** A signal request, validated, with the facts its audit entry records. */
export interface SignalAttempt {
  agentId: string;
  pid: number;
  signal: SignalName;
  startTime: string | undefined;
  facts: SignalFacts & Record<string, unknown>;
}

/** A short printable form of whatever the client sent, for the audit entry. */
const asked = (v: unknown): unknown =>
  typeof v === 'string' ? v.slice(0, 64) : typeof v === 'number' ? v : v === undefined ? null : '?';

/**
 * `@ValidSignalAttempt()`: notes the host, pid and signal the client named in this request's
 * audit entry first, then validates them through the same pipes as @ValidBody/@ValidQuery, so
 * a refused attempt is audited with what it asked for.
 */
export const ValidSignalAttempt = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SignalAttempt => {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const query = req.query as Record<string, unknown> | null;
    const body = req.body as Record<string, unknown> | null;
    const params = req.params as Record<string, unknown>;
    const facts: SignalAttempt['facts'] = {
      agent_id: asked(query?.['agent_id'] ?? LOCAL_AGENT_ID),
      pid: asked(params['pid']),
      signal: asked(body?.['signal']),
    };
    const note = auditNoteOf(req);
    note.details = facts;
    try {
      const q = queryPipe.transform(query);
      const pid = pidPipe.transform(params['pid']);
      const parsed = bodyPipe.transform(body);
      const signal = toSignalName(parsed.signal) as SignalName;
      facts.signal = signal;
      return {
        agentId: q.agent_id ?? LOCAL_AGENT_ID,
        pid,
        signal,
        startTime: parsed.start_time,
        facts,
      };
    } catch (e) {
      facts.result = (e as { code?: string }).code ?? 'error';
      throw e;
    }
  },
);
