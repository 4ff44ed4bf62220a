import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SETTINGS_INTERVAL, type SettingsIntervalEvent } from '../settings/settings.events';
import { LocalSamplerService } from './local-sampler.service';

/** Applies the sampling interval from the settings to the local host's sampler, live. */
@Injectable()
export class SamplerIntervalListener {
  constructor(private readonly sampler: LocalSamplerService) {}

  @OnEvent(SETTINGS_INTERVAL)
  apply(event: SettingsIntervalEvent): void {
    if (event.interval !== this.sampler.interval) this.sampler.setInterval(event.interval);
  }
}
