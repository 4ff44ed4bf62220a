import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { AuditEntry, AuditListResponse, AuditQuery } from '@tyto/contracts';
import type { Access } from '../common/access.decorator';
import { clientAddress, type AuthedRequest, type Principal } from '../common/principal';
import { listRoutes } from '../common/routes';
import type { AuditEntryEntity } from './audit-entry.entity';
import { AUDIT_ACTION_KEY, AUDIT_ACTOR_FIELD_KEY, auditNoteOf } from './audit.decorator';
import { AuditRepository, type NewAuditEntry } from './audit.repository';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes are every method but the safe ones; only writes are audited. */
export const isWrite = (method: string) => !READ_METHODS.has(method.toUpperCase());

interface RouteAudit {
  /** `@AuditAction` name, or `METHOD /route/:param` for a write nobody named. */
  action: string;
  access: Access | undefined;
  /** `@AuditAction(…, { actorFromBody })`: the body field naming who a public write acts as. */
  actorField: string | undefined;
}

/** The string in `body[field]`, if the body is an object holding one there. */
function bodyString(body: unknown, field: string | undefined): string | null {
  if (!field || body === null || typeof body !== 'object') return null;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : null;
}

/** The code of an `{error, code, details}` answer, without trusting it to be one. */
function errorCodeOf(payload: unknown): string | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** `id` alone, or `name=value` pairs when a route has several parameters. */
export function targetFromParams(params: Record<string, unknown> | undefined): string | null {
  const entries = Object.entries(params ?? {}).filter(([, v]) => typeof v === 'string');
  if (entries.length === 0) return null;
  if (entries.length === 1) return String(entries[0][1]);
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/**
 * Control characters (C0, DEL, C1) as visible `\uXXXX` escapes. Validation refuses them in
 * requests, but the audit log is the last line of defence: PostgreSQL refuses NUL in text, and an
 * entry must never be lost (nor a control character reach whoever reads the log) because of what
 * a client sent. `details` needs none of this: it is stored as JSON text, which escapes them.
 */
export const escapeControlCharacters = (s: string): string =>
  s.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Escaped, then cut to the column's length. */
const clip = (s: string | null | undefined, max: number) =>
  s == null ? null : escapeControlCharacters(s).slice(0, max);

/**
 * The audit log. Every write is recorded from one Fastify `onSend` hook (see bootstrap), once its
 * outcome is known and before the answer goes out, so a client that sees the answer finds the
 * entry. A hook rather than a Nest interceptor: an interceptor runs on every request, reads too,
 * and cost more than the handlers (docs/benchmarks.md, "HTTP").
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditService.name);
  /** `METHOD /declared/:path` → what the audit needs to know of the route. */
  private routes = new Map<string, RouteAudit>();

  constructor(
    private readonly repo: AuditRepository,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    this.routes = new Map(
      listRoutes(this.discovery, this.scanner, this.reflector).map((r) => [
        `${r.method} ${r.path}`,
        {
          action:
            this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, r.fn) ??
            `${r.method} ${r.path}`,
          access: r.access,
          actorField: this.reflector.get<string | undefined>(AUDIT_ACTOR_FIELD_KEY, r.fn),
        },
      ]),
    );
  }

  /**
   * Records a write with its outcome: whatever a signed-in user (or a handler naming its actor,
   * as login does) attempted, and every write to a public route. Anonymous writes refused on a
   * protected or unknown route are not recorded: there is no actor, only noise.
   *
   * A write refused before the guard ran (malformed JSON, 413, 415, unknown route) has no
   * principal on it; `principalOf` resolves the one its token names, so a signed-in user's
   * refused write is still recorded under them.
   */
  async recordResponse(
    req: AuthedRequest,
    status: number,
    payload: unknown,
    principalOf?: (req: AuthedRequest) => Promise<Principal | null>,
  ): Promise<void> {
    if (!isWrite(req.method)) return;
    const declared = req.routeOptions.url;
    const route = declared ? this.routes.get(`${req.method} ${declared}`) : undefined;
    const note = auditNoteOf(req);
    const principal = req.principal ?? (!note.actor && principalOf ? await principalOf(req) : null);
    const signedIn = principal ? { id: principal.userId, username: principal.username } : null;
    const tried = bodyString(req.body, route?.actorField);
    const actor = note.actor ?? signedIn ?? (tried === null ? null : { id: null, username: tried });
    if (!actor && route?.access !== 'public') return;
    const action = route?.action ?? `${req.method} ${declared ?? req.url.split('?')[0]}`;
    const errorCode = status >= 400 ? errorCodeOf(payload) : null;
    await this.append({
      timestamp: new Date().toISOString(),
      actorId: actor?.id ?? null,
      actorUsername: clip(actor?.username, 128),
      action: clip(action, 128) ?? '',
      target: clip(note.target ?? targetFromParams(req.params as Record<string, unknown>), 255),
      ip: clip(clientAddress(req), 64),
      outcome: status < 400 ? 'success' : 'failure',
      status,
      details: { ...note.details, ...(errorCode ? { code: errorCode } : {}) },
    });
  }

  /**
   * Records an event that is not a user's HTTP write: an agent enrolling on the agent listener,
   * a refused agent handshake. `actor` null: no signed-in user (the agent's id goes in `target`).
   */
  async record(e: {
    action: string;
    actor?: { id: string | null; username: string } | null;
    target?: string | null;
    ip?: string | null;
    outcome: 'success' | 'failure';
    status: number;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.append({
      timestamp: new Date().toISOString(),
      actorId: e.actor?.id ?? null,
      actorUsername: clip(e.actor?.username, 128),
      action: clip(e.action, 128) ?? '',
      target: clip(e.target, 255),
      ip: clip(e.ip, 64),
      outcome: e.outcome,
      status: e.status,
      details: e.details ?? {},
    });
  }

  /**
   * Records a sign-in that reaches the hub as a read and so escapes the write hook: the OIDC
   * callback is a browser redirect (GET), yet every sign-in, failed or not, is audited.
   */
  async recordSignIn(entry: {
    action: string;
    actor: { id: string | null; username: string } | null;
    ip: string | null;
    status: number;
    details: Record<string, unknown>;
  }): Promise<void> {
    await this.record({ ...entry, outcome: entry.status < 400 ? 'success' : 'failure' });
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
