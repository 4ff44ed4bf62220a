import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createCollector, type Collector } from '@tyto/collector';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { AppError } from '../common/errors';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { METRICS_SAMPLE, type MetricsSampleEvent } from './metrics.events';
import { SampleSources, type SampleSource } from './sample-source';

export { LOCAL_AGENT_ID };

/**
 * Samples the hub's own host as the built-in agent `local` and publishes each sample once on
 * the bus; the stream, history and alerting subscribe. Samples start one interval apart however
 * long sampling and fan-out take (the next start counts from this one's), and a slow
 * sample never overlaps the next.
 */
@Injectable()
export class LocalSamplerService implements SampleSource, OnApplicationBootstrap, OnModuleDestroy {
  readonly agentId = LOCAL_AGENT_ID;
  private readonly logger = new Logger(LocalSamplerService.name);
  private collector: Collector | null = null;
  private timer: NodeJS.Timeout | null = null;
  private intervalSeconds: number;
  private stopped = false;

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly bus: EventEmitter2,
    // Optional so the sampler also runs alone (unit tests); the module always provides it.
    @Optional() private readonly sources?: SampleSources,
  ) {
    this.intervalSeconds = config.sampleInterval;
  }

  onApplicationBootstrap(): void {
    this.collector = createCollector({
      agentId: LOCAL_AGENT_ID,
      procRoot: this.config.procRoot,
      sysRoot: this.config.sysRoot,
      hostRoot: this.config.hostRoot,
    });
    this.sources?.register(this);
    void this.tick();
  }

  /** The hub's own host answers no commands yet (process control will). */
  command(name: string): Promise<unknown> {
    return Promise.reject(
      new AppError('BAD_REQUEST', `the local host does not take the command '${name}'`),
    );
  }

  close(): void {
    void this.onModuleDestroy();
  }

  // Stop producing samples first (module destroy runs before the shutdown hooks), so the
  // history writer's final flush sees the last one and nothing arrives after the database closed.
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.sources?.unregister(this);
    if (this.timer) clearTimeout(this.timer);
    await this.collector?.close();
  }

  get interval(): number {
    return this.intervalSeconds;
  }

  /** Changes the sampling interval live; the next sample follows the new interval. */
  setInterval(seconds: number): void {
    if (seconds === this.intervalSeconds) return;
    this.intervalSeconds = seconds;
    if (this.timer && !this.stopped) {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  private schedule(delayMs = this.intervalSeconds * 1000): void {
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.collector || this.stopped) return;
    const started = Date.now();
    try {
      const sample: MetricsSampleEvent = await this.collector.sample();
      if (this.sources) this.sources.publish(this, sample);
      else this.bus.emit(METRICS_SAMPLE, sample);
    } catch (e) {
      this.logger.error(`local sample failed: ${(e as Error).message}`);
    }
    // The interval as it is now: it may have changed while this sample was taken.
    if (!this.stopped) this.schedule(started + this.intervalSeconds * 1000 - Date.now());
  }
}
