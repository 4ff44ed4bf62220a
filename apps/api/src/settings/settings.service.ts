import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { HubBus, OnHubEvent, type DeliveredEnvelope } from '../common/bus';
import { RefreshIntervalRequestSchema, type SettingsResponse } from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from './settings.events';
import { SettingsRepository } from './settings.repository';

const REFRESH_INTERVAL = 'refresh_interval';

/**
 * Run-time settings. The sampling interval starts from TYTO_SAMPLE_INTERVAL until someone sets
 * it through the API; from then on the stored value wins at every start. Each change (and the
 * value at boot) goes out as `settings.interval`, for the local sampler and for agents.
 */
@Injectable()
export class SettingsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(SettingsService.name);
  private refreshInterval: number;

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly repo: SettingsRepository,
    private readonly bus: HubBus,
  ) {
    this.refreshInterval = config.sampleInterval;
  }

  async onModuleInit(): Promise<void> {
    const stored = RefreshIntervalRequestSchema.shape.interval.safeParse(
      await this.repo.get(REFRESH_INTERVAL),
    );
    if (stored.success) this.refreshInterval = stored.data;
  }

  onApplicationBootstrap(): void {
    // Listeners are attached during bootstrap too; publishing before would reach nobody. Not
    // awaited: the watcher becomes ready in another module's bootstrap hook.
    void this.bus
      .whenReady()
      .then(() => this.publish())
      .catch((e: unknown) => this.logger.error(`event bus not ready: ${(e as Error).message}`));
  }

  get(): SettingsResponse {
    return {
      refresh_interval: this.refreshInterval,
      retention: { ...this.config.retention },
      password_min_length: this.config.passwordMinLength,
    };
  }

  async setRefreshInterval(interval: number): Promise<SettingsResponse> {
    await this.repo.set(REFRESH_INTERVAL, interval, new Date().toISOString());
    this.refreshInterval = interval;
    this.publish();
    return this.get();
  }

  /** Another replica changed the interval (it stored it): answer with the new value here too. */
  @OnHubEvent(SETTINGS_INTERVAL)
  onInterval(event: SettingsIntervalEvent, envelope: DeliveredEnvelope): void {
    if (!envelope.local) this.refreshInterval = event.interval;
  }

  private publish(): void {
    const event: SettingsIntervalEvent = { interval: this.refreshInterval };
    this.bus.publish(SETTINGS_INTERVAL, event);
  }
}
