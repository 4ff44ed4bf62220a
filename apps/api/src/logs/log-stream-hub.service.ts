import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import { hasPermission, matchesLogSearch, type LogEntry, type Permission } from '@tyto/contracts';
import type { ServerResponse } from 'node:http';
import { AUTH_SESSIONS_CHANGED, type AuthSessionsChangedEvent } from '../auth/auth.events';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../common/principal';
import { API_CACHE_CONTROL } from '../common/security-headers';
import type { LogFilter } from './log-store';
import { LOGS_STORED, type LogsStoredEvent } from './logs.events';

/** Bytes a client may have waiting in its socket before lines are skipped for it. */
const MAX_BUFFERED_BYTES = 512 * 1024;
/** What one batch may add on top for a client that is keeping up. */
const MAX_BURST_BYTES = 8 * 1024 * 1024;
/** A client that has not drained its buffer for this long is disconnected. */
const MAX_BLOCKED_MS = 30_000;
const KEEPALIVE_EVERY_MS = 15_000;
const CHECK_EVERY_MS = 1_000;
const KEEPALIVE = Buffer.from(': keep-alive\n\n');

interface TailClient {
  res: ServerResponse;
  principal: Principal;
  permission: Permission;
  filter: LogFilter;
  /** Lines skipped because the client was not reading, since it last got one. */
  dropped: number;
  blockedSince: number | null;
}

const frame = (event: string, json: string) => Buffer.from(`event: ${event}\ndata: ${json}\n\n`);

export function matchesFilter(f: LogFilter, e: LogEntry): boolean {
  if (f.agentId !== undefined && e.agent_id !== f.agentId) return false;
  if (f.source !== undefined && e.source !== f.source) return false;
  if (f.sourceName !== undefined && e.source_name !== f.sourceName) return false;
  if (f.levels?.length && !f.levels.includes(e.level)) return false;
  if (f.search && !matchesLogSearch(f.search, e.message)) return false;
  return true;
}

/**
 * The live tail behind every log SSE client: one bus subscription, each stored line serialised
 * once and written to every client whose filters it matches. Like the metrics stream hub, a
 * client that stops reading has lines skipped (and is told how many in a `dropped` event) rather
 * than buffered without bound or slowing the others, and a stream lives only as long as its
 * session and its permission: the checks run every second and on every session change.
 */
@Injectable()
export class LogStreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(LogStreamHub.name);
  private readonly clients = new Set<TailClient>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly auth: AuthService) {}

  onModuleInit(): void {
    const checks = setInterval(() => this.endExpired(), CHECK_EVERY_MS);
    const keepAlive = setInterval(() => this.keepAlive(), KEEPALIVE_EVERY_MS);
    this.timers = [checks, keepAlive];
    for (const t of this.timers) t.unref();
  }

  beforeApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    this.endAll();
  }

  /** Ends every stream without an `end` event, so clients reconnect (see StreamHub.endAll). */
  endAll(): void {
    for (const c of this.clients) this.end(c, null);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over a response whose headers have not been sent, and tails to it. */
  open(res: ServerResponse, principal: Principal, permission: Permission, filter: LogFilter): void {
    const client: TailClient = {
      res,
      principal,
      permission,
      filter,
      dropped: 0,
      blockedSince: null,
    };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': API_CACHE_CONTROL,
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    // Headers out at once, so the client knows the tail is live before the first line.
    res.write(': tail\n\n');
  }

  @OnHubEvent(LOGS_STORED)
  publish(entries: LogsStoredEvent): void {
    if (this.clients.size === 0) return;
    const frames = new Map<LogEntry, Buffer>();
    for (const c of this.clients) {
      // A client that read what it had gets the whole batch (a flush of thousands of lines is
      // written at once, faster than any socket drains), up to a burst cap that bounds memory;
      // one still behind from before gets nothing and is told how much it missed.
      const reading = c.res.writableLength <= MAX_BUFFERED_BYTES;
      for (const e of entries) {
        if (!matchesFilter(c.filter, e)) continue;
        let f = frames.get(e);
        if (!f) {
          f = frame('log', JSON.stringify(e));
          frames.set(e, f);
        }
        this.write(c, f, reading ? MAX_BUFFERED_BYTES + MAX_BURST_BYTES : MAX_BUFFERED_BYTES);
      }
    }
  }

  /** Sessions changed: streams re-read their principal and end without session or permission. */
  @OnHubEvent(AUTH_SESSIONS_CHANGED)
  async onSessionsChanged(event: AuthSessionsChangedEvent): Promise<void> {
    const affected = [...this.clients].filter(
      (c) => event.userId === undefined || c.principal.userId === event.userId,
    );
    const bySession = new Map<string, Promise<Principal | null>>();
    for (const c of affected) {
      const id = c.principal.sessionId;
      if (!bySession.has(id)) bySession.set(id, this.auth.revalidate(id));
    }
    for (const c of affected) {
      try {
        const fresh = await bySession.get(c.principal.sessionId);
        if (!fresh) this.end(c, 'SESSION_EXPIRED');
        else if (!hasPermission(fresh.grants, c.permission)) this.end(c, 'FORBIDDEN');
        else c.principal = fresh;
      } catch (e) {
        // Fail closed: a stream whose session cannot be checked does not go on.
        this.logger.warn(`re-checking a log stream's session failed: ${(e as Error).message}`);
        this.end(c, 'SESSION_EXPIRED');
      }
    }
  }

  /** Writes unless the client is not reading; a skipped line is counted for `dropped`. */
  private write(c: TailClient, bytes: Buffer, limit: number): void {
    const res = c.res;
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > limit) {
      // Once it has read what is waiting, it learns how much it missed even if no line follows.
      if (c.dropped++ === 0) res.once('drain', () => this.reportDropped(c));
      c.blockedSince ??= Date.now();
      if (Date.now() - c.blockedSince > MAX_BLOCKED_MS) res.destroy();
      return;
    }
    c.blockedSince = null;
    this.reportDropped(c);
    res.write(bytes);
  }

  private reportDropped(c: TailClient): void {
    if (c.dropped === 0 || c.res.writableEnded || c.res.destroyed) return;
    c.res.write(frame('dropped', `{"dropped":${c.dropped}}`));
    c.dropped = 0;
    c.blockedSince = null;
  }

  private endExpired(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (Date.parse(c.principal.expiresAt) <= now) this.end(c, 'SESSION_EXPIRED');
      else this.auth.markSeen(c.principal.sessionId, now);
    }
  }

  private keepAlive(): void {
    for (const c of this.clients) {
      if (!c.res.writableEnded && !c.res.destroyed && c.res.writableLength <= MAX_BUFFERED_BYTES) {
        this.reportDropped(c);
        c.res.write(KEEPALIVE);
      }
    }
  }

  private end(c: TailClient, code: 'SESSION_EXPIRED' | 'FORBIDDEN' | null): void {
    this.clients.delete(c);
    if (c.res.writableEnded || c.res.destroyed) return;
    if (code) c.res.write(frame('end', JSON.stringify({ code })));
    c.res.end();
  }
}
