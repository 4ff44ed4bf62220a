import { Injectable } from '@nestjs/common';
import { OnHubEvent } from '../common/bus';
import type { MetricsSnapshot } from '@tyto/contracts';
import { METRICS_SAMPLE } from './metrics.events';

/** The newest sample of each agent, so a new stream subscriber gets data at once. */
@Injectable()
export class LatestSamplesService {
  private readonly latest = new Map<string, MetricsSnapshot>();

  @OnHubEvent(METRICS_SAMPLE)
  record(sample: MetricsSnapshot): void {
    const previous = this.latest.get(sample.agent_id);
    // Back-filled samples arrive late; the newest stays the newest.
    if (previous && sample.timestamp < previous.timestamp) return;
    this.latest.set(sample.agent_id, sample);
  }

  get(agentId: string): MetricsSnapshot | undefined {
    return this.latest.get(agentId);
  }

  all(): MetricsSnapshot[] {
    return [...this.latest.values()];
  }
}
