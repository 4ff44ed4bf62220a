import { Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditEntry, AuditListResponse, AuditQuery } from '@tyto/contracts';
import { clientAddress, type AuthedRequest } from '../common/principal';
import type { AuditEntryEntity } from './audit-entry.entity';
import { AUDIT_ACTION_KEY, auditNoteOf } from './audit.decorator';
import { AuditRepository, type NewAuditEntry } from './audit.repository';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes are every method but the safe ones; only writes are audited. */
export const isWrite = (method: string) => !READ_METHODS.has(method.toUpperCase());

/** The route as declared (`/api/v1/users/:id`), so unnamed actions group by route, not by id. */
function routePath(req: AuthedRequest): string {
  return req.routeOptions.url ?? req.url.split('?')[0];
}

/** `id` alone, or `name=value` pairs when a route has several parameters. */
export function targetFromParams(params: Record<string, unknown> | undefined): string | null {
  const entries = Object.entries(params ?? {}).filter(([, v]) => typeof v === 'string');
  if (entries.length === 0) return null;
  if (entries.length === 1) return String(entries[0][1]);
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

const clip = (s: string | null | undefined, max: number) => (s == null ? null : s.slice(0, max));

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly repo: AuditRepository,
    private readonly reflector: Reflector,
  ) {}

  /**
   * Appends the entry for a write that reached a route handler or was refused by the guard.
   * Awaited before the answer goes out, so a client that sees the answer finds the entry.
   */
  async recordRequest(ctx: ExecutionContext, status: number, errorCode: string | null) {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const note = auditNoteOf(req);
    const principal = req.principal;
    const actor =
      note.actor ?? (principal ? { id: principal.userId, username: principal.username } : null);
    const action =
      this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, ctx.getHandler()) ??
      `${req.method} ${routePath(req)}`;
    await this.append({
      timestamp: new Date().toISOString(),
      actorId: actor?.id ?? null,
      actorUsername: clip(actor?.username, 128),
      action: action.slice(0, 128),
      target: clip(note.target ?? targetFromParams(req.params as Record<string, unknown>), 255),
      ip: clip(clientAddress(req), 64),
      outcome: status < 400 ? 'success' : 'failure',
      status,
      details: { ...note.details, ...(errorCode ? { code: errorCode } : {}) },
    });
  }

  async list(q: AuditQuery): Promise<AuditListResponse> {
    const [rows, total] = await this.repo.find(q);
    return { entries: rows.map(toAuditEntry), total };
  }

  private async append(entry: NewAuditEntry): Promise<void> {
    try {
      await this.repo.insert(entry);
    } catch (e) {
      // The write itself has already happened; failing its answer would invite a retry that
      // repeats it. The loss is logged loudly instead.
      this.logger.error(
        `audit entry lost (${entry.action} by ${entry.actorUsername ?? 'anonymous'}): ${(e as Error).message}`,
      );
    }
  }
}

export function toAuditEntry(e: AuditEntryEntity): AuditEntry {
  return {
    id: e.id,
    timestamp: e.timestamp,
    actor_id: e.actorId,
    actor_username: e.actorUsername,
    action: e.action,
    target: e.target,
    ip: e.ip,
    outcome: e.outcome,
    status: e.status,
    details: e.details,
  };
}
