import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { hasPermission, type MetricsSnapshot, type Permission } from '@tyto/contracts';
import type { ServerResponse } from 'node:http';
import { AUTH_SESSIONS_CHANGED, type AuthSessionsChangedEvent } from '../auth/auth.events';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../common/principal';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { METRICS_SAMPLE } from './metrics.events';

/** Bytes a client may have waiting in its socket before frames are skipped for it. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** A client that has not drained its buffer for this long is disconnected. */
const MAX_BLOCKED_MS = 30_000;
const KEEPALIVE_EVERY_MS = 15_000;
const CHECK_EVERY_MS = 1_000;
const KEEPALIVE = Buffer.from(': keep-alive\n\n');

export interface StreamOptions {
  /** Only this agent's samples (per-host view); all agents when absent. */
  agentId?: string;
  /** One coalesced `fleet` frame per tick instead of one `metrics` event per sample. */
  fleet: boolean;
}

interface StreamClient extends StreamOptions {
  res: ServerResponse;
  principal: Principal;
  permission: Permission;
  /** Frames skipped because the client was not reading, since it last got one. */
  dropped: number;
  blockedSince: number | null;
}

/** The newest sample of an agent, serialised once for everyone. */
interface AgentFrame {
  sample: MetricsSnapshot;
  /** The `metrics` event as sent live. */
  live: Buffer;
  /** The sample's JSON as a newcomer's first event, made on first use. */
  full: string | null;
  /** Not yet carried by a fleet frame. */
  fresh: boolean;
}

const frame = (event: string, json: string) => Buffer.from(`event: ${event}\ndata: ${json}\n\n`);

/**
 * The live metrics stream behind every SSE client: one bus subscription for the whole hub, one
 * serialisation per sample, the same bytes written to every client that wants them. A client
 * that stops reading has frames skipped (and is told how many) rather than buffered without
 * bound, and is dropped when it stays blocked. A stream lives only as long as its session and
 * the permission it was opened with.
 */
@Injectable()
export class StreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamHub.name);
  private readonly clients = new Set<StreamClient>();
  private readonly frames = new Map<string, AgentFrame>();
  private timers: NodeJS.Timeout[] = [];
  private fleetTimer: NodeJS.Timeout | null = null;
  private fleetTickMs = 5_000;

  constructor(private readonly auth: AuthService) {}

  onModuleInit(): void {
    const checks = setInterval(() => this.endExpired(), CHECK_EVERY_MS);
    const keepAlive = setInterval(() => this.keepAlive(), KEEPALIVE_EVERY_MS);
    this.timers = [checks, keepAlive];
    for (const t of this.timers) t.unref();
    this.scheduleFleet();
  }

  beforeApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    for (const c of this.clients) this.end(c, null);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over a response whose headers have not been sent, and streams to it. */
  open(res: ServerResponse, principal: Principal, permission: Permission, opts: StreamOptions) {
    const client: StreamClient = {
      ...opts,
      res,
      principal,
      permission,
      dropped: 0,
      blockedSince: null,
    };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-store',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise hold events back.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.sendInitial(client);
  }

  @OnEvent(METRICS_SAMPLE)
  publish(sample: MetricsSnapshot): void {
    const agentId = sample.agent_id;
    const json = JSON.stringify(sample);
    const live = frame('metrics', json);
    this.frames.set(agentId, { sample, live, full: json, fresh: true });
    for (const c of this.clients) {
      if (!c.fleet && (c.agentId === undefined || c.agentId === agentId)) this.write(c, live);
    }
  }

  @OnEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.fleetTickMs = event.interval * 1000;
    this.scheduleFleet();
  }

  /**
   * Sessions changed somewhere (logout, disable, password, roles): every stream of the affected
   * user re-reads its principal and ends when the session is gone or lacks the permission.
   */
  @OnEvent(AUTH_SESSIONS_CHANGED)
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
        this.logger.warn(`re-checking a stream's session failed: ${(e as Error).message}`);
        this.end(c, 'SESSION_EXPIRED');
      }
    }
  }

  private sendInitial(c: StreamClient): void {
    const wanted = [...this.frames.values()].filter(
      (f) => c.agentId === undefined || f.sample.agent_id === c.agentId,
    );
    if (c.fleet) {
      this.write(c, this.fleetFrame(wanted));
      return;
    }
    for (const f of wanted) this.write(c, frame('metrics', this.fullJson(f)));
  }

  private fullJson(f: AgentFrame): string {
    return (f.full ??= JSON.stringify(f.sample));
  }

  private fleetFrame(frames: readonly AgentFrame[]): Buffer {
    const samples = frames.map((f) => this.fullJson(f)).join(',');
    return frame('fleet', `{"timestamp":"${new Date().toISOString()}","samples":[${samples}]}`);
  }

  private scheduleFleet(): void {
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    this.fleetTimer = setInterval(() => this.fleetTick(), this.fleetTickMs);
    this.fleetTimer.unref();
  }

  /** One frame per tick with every agent that sent a sample since the last one. */
  private fleetTick(): void {
    const changed = [...this.frames.values()].filter((f) => f.fresh);
    for (const f of changed) f.fresh = false;
    const fleetClients = [...this.clients].filter((c) => c.fleet);
    if (changed.length === 0 || fleetClients.length === 0) return;
    const bytes = this.fleetFrame(changed);
    for (const c of fleetClients) this.write(c, bytes);
  }

  private write(c: StreamClient, bytes: Buffer): void {
    const res = c.res;
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      c.dropped++;
      c.blockedSince ??= Date.now();
      if (Date.now() - c.blockedSince > MAX_BLOCKED_MS) res.destroy();
      return;
    }
    c.blockedSince = null;
    if (c.dropped > 0) {
      res.write(frame('dropped', `{"dropped":${c.dropped}}`));
      c.dropped = 0;
    }
    res.write(bytes);
  }

  /** Ends streams whose session ran out, and counts open streams as use of their session. */
  private endExpired(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (Date.parse(c.principal.expiresAt) <= now) this.end(c, 'SESSION_EXPIRED');
      else this.auth.markSeen(c.principal.sessionId, now);
    }
  }

  private keepAlive(): void {
    for (const c of this.clients) this.write(c, KEEPALIVE);
  }

  /** Ends a stream, telling the client why so it does not just reconnect. */
  private end(c: StreamClient, code: 'SESSION_EXPIRED' | 'FORBIDDEN' | null): void {
    this.clients.delete(c);
    if (c.res.writableEnded || c.res.destroyed) return;
    if (code) c.res.write(frame('end', JSON.stringify({ code })));
    c.res.end();
  }
}
