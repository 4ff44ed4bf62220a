import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AgentSample } from '@tyto/contracts';
import type { DataSource } from 'typeorm';
import { HistoryWriterService } from '../../history/history-writer.service';
import type { SampleSource, SampleSources } from '../../metrics/sample-source';

/**
 * Takes an agent's samples off its channel: each sequence number once (idempotent on
 * (agent, sequence), across reconnects and hub restarts), published on the bus exactly like a
 * local sample, and acknowledged only once the history writer stored it.
 */
@Injectable()
export class AgentIngestService {
  private readonly pg: boolean;
  /** Highest sequence number published per agent (stored or about to be). */
  private readonly published = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly writer: HistoryWriterService,
  ) {
    this.pg = ds.options.type === 'postgres';
  }

  /** The highest sequence number stored for an agent, 0 when none. */
  async lastStored(agentId: string): Promise<number> {
    const rows: { last_seq: string | number }[] = await this.ds.query(
      `SELECT last_seq FROM agent_ingest WHERE agent_id = ${this.pg ? '$1' : '?'}`,
      [agentId],
    );
    const stored = rows.length ? Number(rows[0].last_seq) : 0;
    const mem = this.published.get(agentId) ?? 0;
    if (stored > mem) this.published.set(agentId, stored);
    return Math.max(stored, mem);
  }

  /**
   * Publishes the samples not seen before, in order and at once (the caller loaded the agent's
   * progress with lastStored at hello), and resolves with the sequence number the agent may
   * forget up to once they are stored (null when there is nothing to acknowledge).
   */
  accept(
    sources: SampleSources,
    source: SampleSource,
    samples: readonly AgentSample[],
  ): Promise<number | null> {
    const before = this.published.get(source.agentId) ?? 0;
    let last = before;
    for (const s of samples) {
      if (s.seq <= last) continue;
      sources.publish(source, s.sample);
      last = s.seq;
    }
    // Nothing new: all repeats of stored samples, which the agent may forget right away.
    if (last === before) return Promise.resolve(before > 0 ? before : null);
    this.published.set(source.agentId, last);
    return this.writer
      .whenStored()
      .then(() => this.saveProgress(source.agentId, last))
      .then(() => last);
  }

  /** Forgets an agent's progress (deleted agent: a re-enrolled one starts at 1 again). */
  async forget(agentId: string): Promise<void> {
    this.published.delete(agentId);
    await this.ds.query(`DELETE FROM agent_ingest WHERE agent_id = ${this.pg ? '$1' : '?'}`, [
      agentId,
    ]);
  }

  private async saveProgress(agentId: string, seq: number): Promise<void> {
    const now = new Date().toISOString();
    // Upsert that only moves forward: two acks racing cannot move the mark back.
    await this.ds.query(
      this.pg
        ? `INSERT INTO agent_ingest (agent_id, last_seq, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (agent_id) DO UPDATE SET last_seq = GREATEST(agent_ingest.last_seq, EXCLUDED.last_seq), updated_at = EXCLUDED.updated_at`
        : `INSERT INTO agent_ingest (agent_id, last_seq, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (agent_id) DO UPDATE SET last_seq = MAX(agent_ingest.last_seq, excluded.last_seq), updated_at = excluded.updated_at`,
      [agentId, seq, now],
    );
  }
}
