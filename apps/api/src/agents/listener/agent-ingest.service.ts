import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AgentSample } from '@tyto/contracts';
import type { DataSource } from 'typeorm';
import { HistoryWriterService } from '../../history/history-writer.service';
import type { SampleSource, SampleSources } from '../../metrics/sample-source';

/** Three parameters a mark; both databases allow far more than 3,000 per statement. */
const MARKS_PER_STATEMENT = 1000;

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
  /** Progress marks not yet written, and who waits for them: written together, one statement. */
  private marks = new Map<string, number>();
  private markWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

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
    this.marks.delete(agentId);
    await this.ds.query(`DELETE FROM agent_ingest WHERE agent_id = ${this.pg ? '$1' : '?'}`, [
      agentId,
    ]);
  }

  /**
   * Records that an agent's samples up to `seq` are stored. The marks of every ack due in the
   * same turn of the event loop go into one upsert (a thousand agents' acks were a thousand
   * statements, each a commit holding the event loop on SQLite).
   */
  private saveProgress(agentId: string, seq: number): Promise<void> {
    this.marks.set(agentId, Math.max(seq, this.marks.get(agentId) ?? 0));
    return new Promise((resolve, reject) => {
      if (this.markWaiters.length === 0) setImmediate(() => void this.writeMarks());
      this.markWaiters.push({ resolve, reject });
    });
  }

  private async writeMarks(): Promise<void> {
    const marks = [...this.marks];
    const waiters = this.markWaiters;
    this.marks = new Map();
    this.markWaiters = [];
    const now = new Date().toISOString();
    try {
      for (let i = 0; i < marks.length; i += MARKS_PER_STATEMENT) {
        const chunk = marks.slice(i, i + MARKS_PER_STATEMENT);
        const values = chunk
          .map((_, j) => (this.pg ? `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})` : '(?, ?, ?)'))
          .join(', ');
        // Upsert that only moves forward: two acks racing cannot move the mark back.
        await this.ds.query(
          this.pg
            ? `INSERT INTO agent_ingest (agent_id, last_seq, updated_at) VALUES ${values}
               ON CONFLICT (agent_id) DO UPDATE SET last_seq = GREATEST(agent_ingest.last_seq, EXCLUDED.last_seq), updated_at = EXCLUDED.updated_at`
            : `INSERT INTO agent_ingest (agent_id, last_seq, updated_at) VALUES ${values}
               ON CONFLICT (agent_id) DO UPDATE SET last_seq = MAX(agent_ingest.last_seq, excluded.last_seq), updated_at = excluded.updated_at`,
          chunk.flatMap(([agentId, seq]) => [agentId, seq, now]),
        );
      }
    } catch (e) {
      for (const w of waiters) w.reject(e);
      return;
    }
    for (const w of waiters) w.resolve();
  }
}
