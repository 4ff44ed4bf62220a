import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export const AUDIT_ACTION_KEY = 'tyto:audit-action';
export const AUDIT_ACTOR_FIELD_KEY = 'tyto:audit-actor-field';

/**
 * Names the audit action of a write route (`user.create`). Writes without a name are still
 * recorded, as `METHOD /route/:param`, so a new feature is audited without anyone remembering.
 * `actorFromBody` names the body field holding the name a public route acts as (`username` at
 * sign-in): it becomes the actor when nobody is signed in and the handler named none, as when
 * validation refused the request before the handler ran.
 */
export const AuditAction = (action: string, options: { actorFromBody?: string } = {}) =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION_KEY, action),
    SetMetadata(AUDIT_ACTOR_FIELD_KEY, options.actorFromBody),
  );

/**
 * What a handler adds to its own audit entry: the actor where there is no session yet (login,
 * registration), the target where it is not in the path (a created id), and facts worth keeping.
 * Never put passwords or tokens here.
 */
export interface AuditNote {
  actor?: { id: string | null; username: string };
  target?: string;
  details?: Record<string, unknown>;
}

type NotedRequest = FastifyRequest & { auditNote?: AuditNote };

export function auditNoteOf(req: FastifyRequest): AuditNote {
  const r = req as NotedRequest;
  return (r.auditNote ??= {});
}

/** `@Audit() note: AuditNote`: this request's note, filled in by the handler. */
export const Audit = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  auditNoteOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
