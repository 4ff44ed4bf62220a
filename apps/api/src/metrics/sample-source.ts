import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { MetricsSnapshot } from '@tyto/contracts';
import { AppError } from '../common/errors';
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

/**
 * The live sample sources by agent id. A source publishes through `publish`, which stamps the
 * sample with the source's own id (a body cannot speak for another agent) and puts it on the bus.
 * One source per agent: registering a second replaces (and closes) the first.
 */
@Injectable()
export class SampleSources {
  private readonly logger = new Logger(SampleSources.name);
  private readonly sources = new Map<string, SampleSource>();
  private intervalSeconds: number | null = null;

  constructor(private readonly bus: EventEmitter2) {}

  /** The interval every source should sample at, once the settings published it. */
  get interval(): number | null {
    return this.intervalSeconds;
  }

  register(source: SampleSource): void {
    const old = this.sources.get(source.agentId);
    this.sources.set(source.agentId, source);
    if (old && old !== source) old.close('replaced by a newer connection');
    if (this.intervalSeconds !== null) source.setInterval(this.intervalSeconds);
  }

  /** Forgets a source, unless another one has replaced it meanwhile. */
  unregister(source: SampleSource): void {
    if (this.sources.get(source.agentId) === source) this.sources.delete(source.agentId);
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
    this.bus.emit(METRICS_SAMPLE, sample);
  }

  /** A command to a connected agent; 503 AGENT_OFFLINE at once when it has no live source. */
  command(
    agentId: string,
    name: string,
    params: Record<string, unknown> = {},
    timeoutMs = COMMAND_TIMEOUT_MS,
  ): Promise<unknown> {
    const source = this.sources.get(agentId);
    if (!source) {
      return Promise.reject(
        new AppError('AGENT_OFFLINE', `agent '${agentId}' is not connected`, { agent_id: agentId }),
      );
    }
    return source.command(name, params, timeoutMs);
  }

  @OnEvent(SETTINGS_INTERVAL)
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
}
