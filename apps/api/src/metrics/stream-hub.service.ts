import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import {
  hasPermission,
  toLiveSample,
  type MetricsSnapshot,
  type Permission,
} from '@tyto/contracts';
import type { ServerResponse } from 'node:http';
import { ALERT_CHANGED, ALERT_RAISED, type AlertBusEvent } from '../alerts/alerts.events';
import { AUTH_SESSIONS_CHANGED, type AuthSessionsChangedEvent } from '../auth/auth.events';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../common/principal';
import { API_CACHE_CONTROL } from '../common/security-headers';
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
  /** Only `event: alert` (the alerts stream): no samples at all. */
  alertsOnly?: boolean;
}

interface StreamClient extends StreamOptions {
  res: ServerResponse;
  principal: Principal;
  permission: Permission;
  /** Frames skipped because the client was not reading, since it last got one. */
  dropped: number;
  blockedSince: number | null;
  /**
   * After skipped frames the client may have missed a changed slow section, so each agent's
   * next event is complete again; this holds the agents it has had one for since. Null: in step.
   */
  resynced: Set<string> | null;
  /** Frames held until the end of this turn of the event loop, and their bytes. */
  queued: Buffer[];
  queuedBytes: number;
}

/** The newest sample of an agent, serialised once for everyone. */
interface AgentFrame {
  sample: MetricsSnapshot;
  /** The `metrics` event as sent live: the live sample against the previous sample. */
  live: Buffer;
  /** The complete live sample's JSON (first event, resync), made on first use. */
  full: string | null;
  /**
   * Its `metrics` event, made once for every client that needs it: a client catching up after
   * skipped frames gets complete frames for a while, and a buffer of its own for each of them
   * was, under load, the work that kept clients behind.
   */
  fullFrame: Buffer | null;
  /** The sample last carried by a fleet frame, which the next fleet frame is made against. */
  fleetSent: MetricsSnapshot | null;
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
  /** Clients with frames held in this turn of the event loop, written after it (queue()). */
  private readonly held = new Set<StreamClient>();

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
    this.endAll();
  }

  /**
   * Ends every stream without an `end` event, so clients reconnect (to the restarted hub or
   * another replica). A stream never finishes by itself: the shutdown ends them before it
   * waits for in-flight requests (shutdown.ts).
   */
  endAll(): void {
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
      resynced: null,
      queued: [],
      queuedBytes: 0,
    };
    // Helmet's headers are already on `res` (set in onRequest, kept by writeHead); the /api/
    // Cache-Control comes from an onSend hook, which a hijacked reply skips.
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': API_CACHE_CONTROL,
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise hold events back.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.sendInitial(client);
  }

  @OnHubEvent(METRICS_SAMPLE)
  publish(sample: MetricsSnapshot): void {
    const agentId = sample.agent_id;
    const previous = this.frames.get(agentId);
    // A back-filled sample older than what the stream already showed belongs to history only.
    if (previous && sample.timestamp < previous.sample.timestamp) return;
    const f: AgentFrame = {
      sample,
      live: frame('metrics', JSON.stringify(toLiveSample(sample, previous?.sample))),
      full: null,
      fullFrame: null,
      fleetSent: previous?.fleetSent ?? null,
    };
    this.frames.set(agentId, f);
    for (const c of this.clients) {
      if (c.fleet || c.alertsOnly) continue;
      if (c.agentId === undefined || c.agentId === agentId) this.deliver(c, f);
    }
  }

  /** `event: alert` to every stream whose user may see alerts, whatever host it follows. */
  @OnHubEvent(ALERT_RAISED)
  @OnHubEvent(ALERT_CHANGED)
  publishAlert(event: AlertBusEvent): void {
    let bytes: Buffer | null = null;
    for (const c of this.clients) {
      if (!hasPermission(c.principal.grants, 'alerts:view')) continue;
      bytes ??= frame('alert', JSON.stringify(event));
      this.write(c, bytes);
    }
  }

  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.fleetTickMs = event.interval * 1000;
    this.scheduleFleet();
  }

  /**
   * Sessions changed somewhere (logout, disable, password, roles): every stream of the affected
   * user re-reads its principal and ends when the session is gone or lacks the permission.
   */
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
        this.logger.warn(`re-checking a stream's session failed: ${(e as Error).message}`);
        this.end(c, 'SESSION_EXPIRED');
      }
    }
  }

  private sendInitial(c: StreamClient): void {
    // Nothing to send yet on an alerts-only stream: a comment gets the headers out.
    if (c.alertsOnly) {
      this.write(c, KEEPALIVE);
      return;
    }
    const wanted = [...this.frames.values()].filter(
      (f) => c.agentId === undefined || f.sample.agent_id === c.agentId,
    );
    if (c.fleet) {
      // The next fleet frame is made against what the last one carried: start the newcomer there.
      const start = wanted.map((f) =>
        f.fleetSent ? JSON.stringify(toLiveSample(f.fleetSent)) : fullJson(f),
      );
      this.write(c, fleetFrame(start));
      return;
    }
    for (const f of wanted) this.write(c, fullFrame(f));
  }

  /** The live frame, or the complete one where the client skipped frames since its last. */
  private deliver(c: StreamClient, f: AgentFrame): void {
    const agentId = f.sample.agent_id;
    if (c.resynced && !c.resynced.has(agentId)) {
      if (this.write(c, fullFrame(f))) c.resynced.add(agentId);
      return;
    }
    this.write(c, f.live);
  }

  private scheduleFleet(): void {
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    this.fleetTimer = setInterval(() => this.fleetTick(), this.fleetTickMs);
    this.fleetTimer.unref();
  }

  /**
   * One frame per tick holding every agent that sent a sample since the last one, each as a
   * live sample against what the previous fleet frame carried for it.
   */
  private fleetTick(): void {
    const fleetClients = [...this.clients].filter((c) => c.fleet);
    const changed = [...this.frames.values()].filter((f) => f.fleetSent !== f.sample);
    if (fleetClients.length === 0) {
      // Nobody to send to: the next frame (after someone's complete first one) starts afresh.
      for (const f of this.frames.values()) f.fleetSent = null;
      return;
    }
    if (changed.length === 0) return;
    const live = fleetFrame(
      changed.map((f) => JSON.stringify(toLiveSample(f.sample, f.fleetSent ?? undefined))),
    );
    let complete: Buffer | null = null;
    for (const f of changed) f.fleetSent = f.sample;
    for (const c of fleetClients) {
      if (c.resynced) {
        complete ??= fleetFrame([...this.frames.values()].map(fullJson));
        if (this.write(c, complete)) c.resynced = null;
      } else {
        this.write(c, live);
      }
    }
  }

  /** Writes unless the client is not reading; false when the frame was skipped. */
  private write(c: StreamClient, bytes: Buffer): boolean {
    const res = c.res;
    if (res.writableEnded || res.destroyed) return false;
    if (res.writableLength + c.queuedBytes > MAX_BUFFERED_BYTES) {
      c.dropped++;
      c.resynced = new Set();
      c.blockedSince ??= Date.now();
      if (Date.now() - c.blockedSince > MAX_BLOCKED_MS) res.destroy();
      return false;
    }
    c.blockedSince = null;
    if (c.dropped > 0) {
      this.queue(c, frame('dropped', `{"dropped":${c.dropped}}`));
      c.dropped = 0;
    }
    this.queue(c, bytes);
    return true;
  }

  /**
   * Holds a frame until the current turn of the event loop is over, so that every frame of the
   * samples that arrived in that turn leaves in one write, one HTTP chunk, per client: a write
   * (and, on the client, an HTTP chunk and a wake-up) per frame was most of what 200 clients
   * following 1,000 agents cost. A frame waits only for the rest of the turn.
   */
  private queue(c: StreamClient, bytes: Buffer): void {
    if (this.held.size === 0) setImmediate(() => this.writeHeld());
    this.held.add(c);
    c.queued.push(bytes);
    c.queuedBytes += bytes.length;
  }

  private writeHeld(): void {
    for (const c of this.held) this.writeQueued(c);
    this.held.clear();
  }

  private writeQueued(c: StreamClient): void {
    const frames = c.queued;
    if (frames.length === 0) return;
    c.queued = [];
    c.queuedBytes = 0;
    if (c.res.writableEnded || c.res.destroyed) return;
    c.res.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
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
    this.writeQueued(c);
    this.held.delete(c);
    if (c.res.writableEnded || c.res.destroyed) return;
    if (code) c.res.write(frame('end', JSON.stringify({ code })));
    c.res.end();
  }
}

function fullJson(f: AgentFrame): string {
  return (f.full ??= JSON.stringify(toLiveSample(f.sample)));
}

function fullFrame(f: AgentFrame): Buffer {
  return (f.fullFrame ??= frame('metrics', fullJson(f)));
}

function fleetFrame(samples: readonly string[]): Buffer {
  return frame(
    'fleet',
    `{"timestamp":"${new Date().toISOString()}","samples":[${samples.join(',')}]}`,
  );
}
