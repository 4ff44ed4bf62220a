import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createCollector, type Collector } from '@tyto/collector';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { METRICS_SAMPLE, type MetricsSampleEvent } from './metrics.events';

export const LOCAL_AGENT_ID = 'local';

/**
 * Samples the hub's own host as the built-in agent `local` and publishes each sample once on
 * the bus; the stream, history and alerting subscribe. Samples start one interval apart however
 * long sampling and fan-out take (the next start counts from this one's), and a slow
 * sample never overlaps the next.
 */
@Injectable()
export class LocalSamplerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LocalSamplerService.name);
  private collector: Collector | null = null;
  private timer: NodeJS.Timeout | null = null;
  private intervalSeconds: number;
  private stopped = false;

  constructor(
    @Inject(TYTO_CONFIG) config: TytoConfig,
    private readonly bus: EventEmitter2,
  ) {
    this.intervalSeconds = config.sampleInterval;
  }

  onApplicationBootstrap(): void {
    this.collector = createCollector({ agentId: LOCAL_AGENT_ID });
    void this.tick();
  }

  // Stop producing samples first (module destroy runs before the shutdown hooks), so the
  // history writer's final flush sees the last one and nothing arrives after the database closed.
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.collector?.close();
  }

  get interval(): number {
    return this.intervalSeconds;
  }

  /** Changes the sampling interval live; the next sample follows the new interval. */
  setInterval(seconds: number): void {
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
      this.bus.emit(METRICS_SAMPLE, sample);
    } catch (e) {
      this.logger.error(`local sample failed: ${(e as Error).message}`);
    }
    // The interval as it is now: it may have changed while this sample was taken.
    if (!this.stopped) this.schedule(started + this.intervalSeconds * 1000 - Date.now());
  }
}
