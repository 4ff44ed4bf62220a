import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import {
  ERROR_STATUS,
  LOCAL_AGENT_ID,
  type RelayedCommandReply,
  type RelayedCommand,
  type ErrorCode,
  type MetricsSnapshot,
} from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import { type DeliveredEnvelope } from '../common/bus';
import { AppError } from '../common/errors';
import { RedisConnections } from '../common/redis';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { METRICS_SAMPLE } from './metrics.events';

/**
 * Where samples come from: the hub's in-process sampler for its own host, or one agent's live
 * channel. The stream, history, interval changes and commands talk to this, never to the
 * concrete source, so a remote host is handled exactly like the local one.
 */
export interface SampleSource {
  /** The agent this source speaks for: `local`, or the CN of the agent's client certificate. */
  readonly agentId: string;
  /** Applies a new sampling interval (seconds); the next sample follows it. */
  setInterval(seconds: number): void;
  /** Sends a command and resolves with the reply's result; rejects on error or timeout. */
  command(name: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  /** Stops the source (closes the channel); its samples stop arriving. */
  close(reason: string): void;
}

/** Default time a command waits for its reply. */
export const COMMAND_TIMEOUT_MS = 10_000;

/** Which replica holds an agent's channel is kept in Redis this long, renewed well within it. */
const PRESENCE_TTL_MS = 30_000;
const PRESENCE_RENEW_MS = 10_000;
/** A command relayed to another replica gets this much longer than its own timeout. */
const RELAY_SLACK_MS = 2_000;

interface Relayed {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const offline = (agentId: string) =>
  new AppError('AGENT_OFFLINE', `agent '${agentId}' is not connected`, { agent_id: agentId });

/**
 * The live sample sources by agent id. A source publishes through `publish`, which stamps the
 * sample with the source's own id (a body cannot speak for another agent) and puts it on the bus.
 * One source per agent: registering a second replaces (and closes) the first.
 *
 * With replicas (Redis configured) each agent's channel ends on one of them: this replica notes
 * in Redis which agents it holds, and a command for an agent held elsewhere is relayed over the
 * bus to that replica, which answers over the bus, so callers never care where the agent is.
 */
@Injectable()
export class SampleSources implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SampleSources.name);
  private readonly sources = new Map<string, SampleSource>();
  private intervalSeconds: number | null = null;
  private readonly relayed = new Map<string, Relayed>();
  private presenceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: HubBus,
    private readonly redis: RedisConnections,
  ) {}

  onModuleInit(): void {
    if (!this.redis.enabled) return;
    this.presenceTimer = setInterval(() => void this.renewPresence(), PRESENCE_RENEW_MS);
    this.presenceTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    for (const [id, r] of this.relayed) {
      clearTimeout(r.timer);
      r.reject(new AppError('SHUTTING_DOWN', 'the hub is shutting down'));
      this.relayed.delete(id);
    }
  }

  /** The interval every source should sample at, once the settings published it. */
  get interval(): number | null {
    return this.intervalSeconds;
  }

  register(source: SampleSource): void {
    const old = this.sources.get(source.agentId);
    this.sources.set(source.agentId, source);
    if (old && old !== source) old.close('replaced by a newer connection');
    if (this.intervalSeconds !== null) source.setInterval(this.intervalSeconds);
    void this.setPresence(source.agentId, true);
  }

  /** Forgets a source, unless another one has replaced it meanwhile. */
  unregister(source: SampleSource): void {
    if (this.sources.get(source.agentId) === source) {
      this.sources.delete(source.agentId);
      void this.setPresence(source.agentId, false);
    }
  }

  get(agentId: string): SampleSource | undefined {
    return this.sources.get(agentId);
  }

  isConnected(agentId: string): boolean {
    return this.sources.has(agentId);
  }

  get connected(): string[] {
    return [...this.sources.keys()];
  }

  /** Puts one sample of `source` on the bus, with the source's agent id whatever the body said. */
  publish(source: SampleSource, sample: MetricsSnapshot): void {
    if (sample.agent_id !== source.agentId) sample = { ...sample, agent_id: source.agentId };
    this.bus.publish(METRICS_SAMPLE, sample, source.agentId);
  }

  /**
   * A command to a connected agent, on this replica or relayed to the one holding its channel;
   * 503 AGENT_OFFLINE at once when no replica holds it.
   */
  async command(
    agentId: string,
    name: string,
    params: Record<string, unknown> = {},
    timeoutMs = COMMAND_TIMEOUT_MS,
  ): Promise<unknown> {
    const source = this.sources.get(agentId);
    if (source) return source.command(name, params, timeoutMs);
    if (!this.bus.bridged || agentId === LOCAL_AGENT_ID) throw offline(agentId);
    let holder: string | null;
    try {
      holder = await this.redis.command.get(this.presenceKey(agentId));
    } catch (e) {
      throw new AppError('AGENT_OFFLINE', `cannot tell which replica holds '${agentId}'`, {
        agent_id: agentId,
        reason: (e as Error).message,
      });
    }
    if (!holder || holder === this.bus.replicaId) throw offline(agentId);
    return this.relay({
      request_id: randomUUID(),
      agent_id: agentId,
      to: holder,
      name,
      params,
      timeout_ms: timeoutMs,
    });
  }

  private relay(request: RelayedCommand): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.relayed.delete(request.request_id);
        reject(
          new AppError(
            'AGENT_OFFLINE',
            `agent '${request.agent_id}' did not answer '${request.name}' in time`,
            { agent_id: request.agent_id, timeout_ms: request.timeout_ms, replica: request.to },
          ),
        );
      }, request.timeout_ms + RELAY_SLACK_MS);
      this.relayed.set(request.request_id, { resolve, reject, timer });
      this.bus.publish('agent.command.request', request, request.agent_id);
    });
  }

  /** A command relayed by another replica for an agent whose channel ends here. */
  @OnHubEvent('agent.command.request')
  async onRelayedRequest(req: RelayedCommand, envelope: DeliveredEnvelope): Promise<void> {
    if (envelope.local || req.to !== this.bus.replicaId) return;
    const reply: RelayedCommandReply = {
      request_id: req.request_id,
      to: envelope.origin,
      ok: true,
    };
    try {
      const source = this.sources.get(req.agent_id);
      if (!source) throw offline(req.agent_id);
      reply.result = await source.command(req.name, req.params, req.timeout_ms);
    } catch (e) {
      reply.ok = false;
      reply.error =
        e instanceof AppError
          ? { code: e.code, message: e.message, details: e.details }
          : { code: 'INTERNAL_ERROR', message: 'the command failed on the replica', details: {} };
      if (!(e instanceof AppError)) {
        this.logger.error(`relayed '${req.name}' for '${req.agent_id}': ${(e as Error).message}`);
      }
    }
    this.bus.publish('agent.command.reply', reply, req.agent_id);
  }

  @OnHubEvent('agent.command.reply')
  onRelayedReply(reply: RelayedCommandReply, envelope: DeliveredEnvelope): void {
    if (envelope.local || reply.to !== this.bus.replicaId) return;
    const waiting = this.relayed.get(reply.request_id);
    if (!waiting) return;
    this.relayed.delete(reply.request_id);
    clearTimeout(waiting.timer);
    if (reply.ok) {
      waiting.resolve(reply.result);
      return;
    }
    const code = (reply.error?.code ?? 'INTERNAL_ERROR') as ErrorCode;
    const details = reply.error?.details;
    waiting.reject(
      new AppError(
        code in ERROR_STATUS ? code : 'INTERNAL_ERROR',
        reply.error?.message ?? 'the command failed',
        details && typeof details === 'object' ? (details as Record<string, unknown>) : {},
      ),
    );
  }

  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent): void {
    this.intervalSeconds = event.interval;
    for (const s of this.sources.values()) {
      try {
        s.setInterval(event.interval);
      } catch (e) {
        this.logger.warn(`interval change for '${s.agentId}' failed: ${(e as Error).message}`);
      }
    }
  }

  private presenceKey(agentId: string): string {
    return this.redis.key(`agent:${agentId}:replica`);
  }

  private async setPresence(agentId: string, present: boolean): Promise<void> {
    // `local` is each replica's own host: never relayed.
    if (!this.redis.enabled || agentId === LOCAL_AGENT_ID) return;
    try {
      const key = this.presenceKey(agentId);
      if (present) {
        await this.redis.command.set(key, this.bus.replicaId, 'PX', PRESENCE_TTL_MS);
      } else {
        // Only our own mark: the agent may already have reconnected to another replica.
        await this.redis.command.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
          1,
          key,
          this.bus.replicaId,
        );
      }
    } catch (e) {
      this.logger.warn(`noting agent '${agentId}' in Redis failed: ${(e as Error).message}`);
    }
  }

  private async renewPresence(): Promise<void> {
    const ids = [...this.sources.keys()].filter((id) => id !== LOCAL_AGENT_ID);
    if (ids.length === 0) return;
    try {
      const multi = this.redis.command.multi();
      for (const id of ids)
        multi.set(this.presenceKey(id), this.bus.replicaId, 'PX', PRESENCE_TTL_MS);
      await multi.exec();
    } catch (e) {
      this.logger.warn(`renewing agent presence in Redis failed: ${(e as Error).message}`);
    }
  }
}
