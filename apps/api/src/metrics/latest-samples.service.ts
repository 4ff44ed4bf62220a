import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { MetricsSnapshot } from '@tyto/contracts';
import { METRICS_SAMPLE } from './metrics.events';

/** The newest sample of each agent, so a new stream subscriber gets data at once. */
@Injectable()
export class LatestSamplesService {
  private readonly latest = new Map<string, MetricsSnapshot>();

  @OnEvent(METRICS_SAMPLE)
  record(sample: MetricsSnapshot): void {
    this.latest.set(sample.agent_id, sample);
  }

  get(agentId: string): MetricsSnapshot | undefined {
    return this.latest.get(agentId);
  }

  all(): MetricsSnapshot[] {
    return [...this.latest.values()];
  }
}
