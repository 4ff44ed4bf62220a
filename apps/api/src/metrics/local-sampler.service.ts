import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HubBus } from '../common/bus';
import { createCollector, type Collector } from '@tyto/collector';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { AppError } from '../common/errors';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { JobLeases } from '../database/job-leases';
import { METRICS_SAMPLE, type MetricsSampleEvent } from './metrics.events';
import { SampleSources, type SampleSource } from './sample-source';

export { LOCAL_AGENT_ID };

const LOCAL_SAMPLER_LEASE = 'metrics.local-sampler';

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
    private readonly bus: HubBus,
    // Optional so the sampler also runs alone (unit tests); the module always provides it.
    @Optional() private readonly sources?: SampleSources,
    @Optional() private readonly leases?: JobLeases,
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

  /**
   * With replicas (a bridged bus) every hub would report its host as `local`; they run beside
   * each other on one host, so exactly one of them publishes, under a lease that moves when it
   * stops. A single hub always publishes.
   */
  private async mayPublish(): Promise<boolean> {
    if (!this.bus.bridged || !this.leases) return true;
    try {
      return (await this.leases.hold(LOCAL_SAMPLER_LEASE, this.intervalSeconds * 3000)) !== null;
    } catch (e) {
      this.logger.warn(`the local sampler's lease could not be checked: ${(e as Error).message}`);
      return false;
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
      if (!(await this.mayPublish())) {
        // Another replica speaks for `local`; this one keeps its collector warm.
      } else if (this.sources) this.sources.publish(this, sample);
      else this.bus.publish(METRICS_SAMPLE, sample);
    } catch (e) {
      this.logger.error(`local sample failed: ${(e as Error).message}`);
    }
    // The interval as it is now: it may have changed while this sample was taken.
    if (!this.stopped) this.schedule(started + this.intervalSeconds * 1000 - Date.now());
  }
}
