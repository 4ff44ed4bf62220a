import { Inject, Injectable, Logger } from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import {
  AGENT_DELETED,
  LOG_BATCH_EVENT,
  type AgentDeletedEvent,
  type AgentLogBatch,
  type LogBatchEvent,
} from '@tyto/contracts';
import { LogIngestService } from './log-ingest.service';
import { LOG_STORE, type LogStore } from './log-store';

/**
 * Takes remote agents' log batches off their channels: each batch sequence number once
 * (idempotent on (agent, sequence), across reconnects and hub restarts, because the mark is
 * stored with the lines), published on the bus as LOG_BATCH_EVENT like the local readers' lines
 * so live tail and retention apply, and acknowledged only once stored. The agent id is the
 * connection's (its certificate), never anything in a batch.
 */
@Injectable()
export class AgentLogsService {
  private readonly logger = new Logger(AgentLogsService.name);
  /** Highest batch sequence number published per agent (stored or about to be). */
  private readonly published = new Map<string, number>();

  constructor(
    @Inject(LOG_STORE) private readonly store: LogStore,
    private readonly ingest: LogIngestService,
    private readonly bus: HubBus,
  ) {}

  /**
   * When an agent's channel opens: loads its progress and returns the highest batch sequence
   * number stored for it (0 when none), which the agent may forget up to. Batches published but
   * not yet stored still count as seen, so a quick reconnect does not publish them twice.
   */
  async resume(agentId: string): Promise<number> {
    const stored = await this.store.lastBatch(agentId);
    if (stored > (this.published.get(agentId) ?? 0)) this.published.set(agentId, stored);
    return stored;
  }

  /**
   * Publishes the batches not seen before, in order, and resolves with the sequence number the
   * agent may forget up to once they are stored (null when there is nothing to acknowledge).
   * The caller loaded the agent's progress with resume when the channel opened.
   */
  accept(agentId: string, batches: readonly AgentLogBatch[]): Promise<number | null> {
    const before = this.published.get(agentId) ?? 0;
    let last = before;
    for (const b of batches) {
      if (b.seq <= last) continue;
      const event: LogBatchEvent = { agent_id: agentId, lines: b.lines, seq: b.seq };
      this.bus.publish(LOG_BATCH_EVENT, event, event.agent_id);
      last = b.seq;
    }
    if (last > before) this.published.set(agentId, last);
    // Repeats only: acknowledged once what was published before them is stored, too.
    if (last === 0) return Promise.resolve(null);
    return this.ingest.whenStored().then(() => last);
  }

  /** A deleted agent's progress goes with it: a re-enrolled one numbers from 1 again. */
  @OnHubEvent(AGENT_DELETED)
  async onDeleted(e: AgentDeletedEvent): Promise<void> {
    this.published.delete(e.agentId);
    try {
      await this.store.forgetBatches(e.agentId);
    } catch (err) {
      this.logger.warn(`forgetting the log progress of '${e.agentId}': ${(err as Error).message}`);
    }
  }
}
