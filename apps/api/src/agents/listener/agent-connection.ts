import {
  AGENT_CLOSE,
  AGENT_PROTOCOL_VERSION,
  LOG_FRAME_MAX_BYTES,
  parseAgentMessage,
  type AgentLogBatch,
  type AgentSample,
  type AgentToHubMessage,
  type HubToAgentMessage,
} from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { AppError } from '../../common/errors';
import type { SampleSource } from '../../metrics/sample-source';

/** The hub pings every this often; a channel silent for three pings is dead. */
export const PING_EVERY_MS = 15_000;
/** Malformed frames tolerated per channel before it is closed. */
const MAX_BAD_FRAMES = 20;

export interface ConnectionHooks {
  /** The hello arrived and checked out: the connection is a live source from now on. */
  onHello(c: AgentConnection, hello: Extract<AgentToHubMessage, { type: 'hello' }>): Promise<void>;
  /**
   * Samples in order, published before this returns; the promise resolves with the sequence
   * number to acknowledge once they are stored (null: none).
   */
  onSamples(c: AgentConnection, samples: AgentSample[]): Promise<number | null>;
  /**
   * Log batches in order, published before this returns; resolves with the batch sequence
   * number to acknowledge (`logs_ack`) once they are stored (null: none).
   */
  onLogs(c: AgentConnection, batches: AgentLogBatch[]): Promise<number | null>;
  /** A sample whose body names another agent: dropped, audited by the hook. */
  onForeignSample(c: AgentConnection, claimed: string): void;
  onRenew(c: AgentConnection, csr: string): Promise<{ certificatePem: string }>;
  onSeen(c: AgentConnection): void;
  onClose(c: AgentConnection): void;
  log(line: string): void;
}

interface PendingCommand {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * One agent's live channel: a SampleSource whose identity is the client certificate's CN (never
 * anything in a message). Frames are handled strictly in order, so samples are published and
 * acknowledged in the agent's sequence order.
 */
export class AgentConnection implements SampleSource {
  private helloDone = false;
  private closed = false;
  private bad = 0;
  private foreignReported = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, PendingCommand>();
  private pingTimer: NodeJS.Timeout | null = null;
  private alive = true;
  version = '';

  constructor(
    readonly agentId: string,
    readonly serial: string,
    readonly address: string,
    private readonly ws: WebSocket,
    private readonly hooks: ConnectionHooks,
  ) {
    ws.on('message', (data, isBinary) => {
      this.alive = true;
      if (isBinary) return this.badFrame('binary frame');
      const text = String(data);
      this.chain = this.chain
        .then(() => this.handle(text))
        .catch((e: unknown) => hooks.log(`channel of '${agentId}': ${(e as Error).message}`));
    });
    ws.on('pong', () => {
      this.alive = true;
      hooks.onSeen(this);
    });
    ws.on('close', () => this.finish());
    ws.on('error', () => this.finish());
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, PING_EVERY_MS);
    this.pingTimer.unref();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  setInterval(seconds: number): void {
    if (this.helloDone) this.send({ type: 'settings', interval: seconds });
  }

  command(name: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(
        new AppError('AGENT_OFFLINE', `agent '${this.agentId}' is not connected`, {
          agent_id: this.agentId,
        }),
      );
    }
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AppError(
            'AGENT_OFFLINE',
            `agent '${this.agentId}' did not answer '${name}' in time`,
            {
              agent_id: this.agentId,
              timeout_ms: timeoutMs,
            },
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ type: 'command', id, name, params });
    });
  }

  /** Closes the channel with an application close code (revoked, replaced, shutdown). */
  close(reason: string, code: number = AGENT_CLOSE.REPLACED): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
    // A peer that does not complete the closing handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2000).unref();
    this.finish();
  }

  /**
   * Sent uncompressed: the hub's messages are small (acks, settings, commands), and the first
   * compressed frame would give this channel a zlib deflate context of its own (about 260 KB:
   * ws compresses every frame, whatever its size, while context takeover is on), which at 1,000
   * agents is most of the hub's memory. The agent's samples stay compressed; the hub only keeps
   * an inflate context per channel for them.
   */
  send(msg: HubToAgentMessage): void {
    if (!this.closed) this.ws.send(JSON.stringify(msg), { compress: false });
  }

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    const msg = parseAgentMessage(text);
    if (!msg) return this.badFrame('not a valid message');
    this.hooks.onSeen(this);
    if (!this.helloDone) {
      if (msg.type !== 'hello') return this.protocolError('the first message must be hello');
      if (msg.protocol !== AGENT_PROTOCOL_VERSION)
        return this.protocolError(`protocol ${msg.protocol} is not ${AGENT_PROTOCOL_VERSION}`);
      this.version = msg.version;
      await this.hooks.onHello(this, msg);
      this.helloDone = true;
      return;
    }
    switch (msg.type) {
      case 'hello':
        return this.protocolError('a second hello');
      case 'sample':
        return this.samples([{ seq: msg.seq, sample: msg.sample }]);
      case 'samples':
        return this.samples(msg.samples);
      case 'logs':
        if (Buffer.byteLength(text) > LOG_FRAME_MAX_BYTES)
          return this.badFrame('log frame too big');
        return this.logs(msg.batches);
      case 'heartbeat':
        return;
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result ?? null);
        else
          p.reject(
            new AppError('BAD_REQUEST', msg.error?.message ?? 'the agent refused the command', {
              agent_code: msg.error?.code ?? null,
            }),
          );
        return;
      }
      case 'renew':
        // Not awaited in the chain: issuing must not hold up the samples behind it.
        void this.hooks.onRenew(this, msg.csr).then(
          (r) =>
            this.send({ type: 'renewed', id: msg.id, ok: true, certificate: r.certificatePem }),
          (e: unknown) =>
            this.send({
              type: 'renewed',
              id: msg.id,
              ok: false,
              error: {
                code: e instanceof AppError ? e.code : 'INTERNAL_ERROR',
                message: (e as Error).message,
              },
            }),
        );
        return;
    }
  }

  private samples(list: AgentSample[]): void {
    const own: AgentSample[] = [];
    for (const s of list) {
      if (s.sample.agent_id !== this.agentId) {
        // The certificate says who this is; a body claiming otherwise is dropped and reported.
        if (!this.foreignReported) this.hooks.onForeignSample(this, s.sample.agent_id);
        this.foreignReported = true;
        continue;
      }
      own.push(s);
    }
    // Sequence numbers must rise; anything else is a confused agent.
    for (let i = 1; i < own.length; i++)
      if (own[i].seq <= own[i - 1].seq) return this.badFrame('sequence numbers out of order');
    if (own.length === 0) return;
    // Not awaited: storing waits for the history writer's flush, and the next frames must not.
    // Acks still go out in order, because each waits for the flush after its own samples.
    const ack = this.hooks.onSamples(this, own);
    void ack.then(
      (seq) => {
        if (seq !== null) this.send({ type: 'ack', seq });
      },
      (e: unknown) => this.hooks.log(`ingest of '${this.agentId}' failed: ${(e as Error).message}`),
    );
  }

  private logs(batches: AgentLogBatch[]): void {
    for (let i = 1; i < batches.length; i++)
      if (batches[i].seq <= batches[i - 1].seq)
        return this.badFrame('sequence numbers out of order');
    // Not awaited, like samples: the ack waits for the log ingest's flush, the next frames do not.
    void this.hooks.onLogs(this, batches).then(
      (seq) => {
        if (seq !== null) this.send({ type: 'logs_ack', seq });
      },
      (e: unknown) =>
        this.hooks.log(`log ingest of '${this.agentId}' failed: ${(e as Error).message}`),
    );
  }

  private badFrame(why: string): void {
    this.hooks.log(`channel of '${this.agentId}': dropped a frame (${why})`);
    if (++this.bad > MAX_BAD_FRAMES) this.protocolError('too many bad frames');
  }

  private protocolError(why: string): void {
    this.hooks.log(`channel of '${this.agentId}' closed: ${why}`);
    this.close(why, AGENT_CLOSE.PROTOCOL);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(
        new AppError('AGENT_OFFLINE', `agent '${this.agentId}' disconnected`, {
          agent_id: this.agentId,
        }),
      );
    }
    this.pending.clear();
    this.hooks.onClose(this);
  }
}
