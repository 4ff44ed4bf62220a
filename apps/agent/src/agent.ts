import type { Collector } from '@tyto/collector';
import {
  AGENT_CLOSE,
  AGENT_COMMANDS,
  AGENT_PROTOCOL_VERSION,
  parseHubMessage,
  type CommandMessage,
  type HubToAgentMessage,
} from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import { arch, hostname, release, type } from 'node:os';
import WebSocket from 'ws';
import type { AgentOptions } from './args';
import { loadPki } from './pki';
import type { SampleBuffer } from './buffer';
import type { CommandAnswer, ProcessCommands } from './process-commands';
import type { LogShipper } from './logs';
import {
  enroll,
  EnrollmentRefused,
  fetchPinnedCa,
  fingerprintOfPem,
  FingerprintMismatch,
} from './enroll';
import type { Identity, StateDir } from './state';

export const AGENT_VERSION = '0.1.0';

const HEARTBEAT_MS = 15_000;
/** Nothing heard from the hub for this long: the connection is dead even if TCP has not noticed. */
const SILENCE_MS = 45_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** After a revocation the agent only checks back this rarely (an admin must re-enroll it). */
const REVOKED_RETRY_MS = 10 * 60_000;
/** Records per back-fill frame. */
const BATCH = 50;
/** Stop handing frames to the socket while this much is still unsent. */
const MAX_IN_FLIGHT_BYTES = 1024 * 1024;

/** Jittered exponential back-off: half the capped exponential plus up to as much again at random. */
export function backoffMs(attempt: number, random = Math.random): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export interface AgentDeps {
  opts: AgentOptions;
  state: StateDir;
  buffer: SampleBuffer;
  collector: Collector;
  log: (line: string) => void;
  /** Log readers and their buffer; without it the agent ships no logs. */
  logs?: LogShipper;
}

/**
 * The running agent: a sampling loop that appends every sample to the on-disk buffer, and one
 * connection to the hub that drains the buffer in order, acknowledges nothing itself (the hub's
 * acks free the buffer), answers commands and renews the certificate.
 */
export class Agent {
  private interval: number;
  private sampleTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private ws: WebSocket | null = null;
  private open = false;
  /** Highest sequence number handed to the current connection. */
  private sentSeq = 0;
  private pumping = false;
  private attempt = 0;
  private lastHeard = 0;
  private stopped = false;
  private identity: Identity | null = null;
  private renewing: { id: string; keyPem: string } | null = null;
  private processCommands: Promise<ProcessCommands> | null = null;

  constructor(private readonly d: AgentDeps) {
    this.interval = d.opts.interval;
  }

  start(): void {
    this.d.logs?.start();
    void this.sampleLoop();
    this.connect().catch((e: unknown) => this.fatal(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.sampleTimer, this.reconnectTimer, this.heartbeatTimer])
      if (t) clearTimeout(t);
    this.ws?.close(1000, 'agent stopping');
    await this.d.logs?.stop();
    this.d.buffer.close();
    await this.d.collector.close();
  }

  private async sampleLoop(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      const sample = await this.d.collector.sample();
      if (this.stopped) return;
      this.d.buffer.append(Buffer.from(JSON.stringify(sample)));
      this.pump();
    } catch (e) {
      this.d.log(`sample failed: ${(e as Error).message}`);
    }
    if (!this.stopped)
      this.sampleTimer = setTimeout(
        () => void this.sampleLoop(),
        Math.max(0, started + this.interval * 1000 - Date.now()),
      );
  }

  private setSampleInterval(seconds: number): void {
    if (seconds === this.interval) return;
    this.interval = seconds;
    this.d.log(`interval set to ${seconds} s`);
    if (this.sampleTimer) {
      clearTimeout(this.sampleTimer);
      this.sampleTimer = setTimeout(() => void this.sampleLoop(), seconds * 1000);
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { opts, state, log } = this.d;
    const hub = opts.hub as string;
    const pinned = opts.caFingerprint as string;
    try {
      this.identity = state.identity();
      if (this.identity && fingerprintOfPem(this.identity.caPem) !== pinned) {
        throw new FingerprintMismatch(
          `the CA in ${state.ca} is not the one --ca-fingerprint names: refusing to use it`,
        );
      }
      if (!this.identity) {
        const caPem = await fetchPinnedCa(hub, pinned);
        await enroll(
          state,
          hub,
          caPem,
          {
            id: opts.id,
            name: opts.name,
            hostname: hostname(),
            os: `${type()} ${release()}`,
            architecture: arch(),
            version: AGENT_VERSION,
            token: opts.token,
          },
          log,
          (ms) => this.sleep(ms),
        );
        this.identity = state.identity();
        if (!this.identity) throw new Error('enrollment left no certificate behind');
      }
    } catch (e) {
      if (e instanceof FingerprintMismatch || e instanceof EnrollmentRefused) throw e;
      this.retry(`enrollment: ${(e as Error).message}`);
      return;
    }
    this.openChannel(hub, this.identity);
  }

  /** Thrown fatal errors end the process (main.ts); the rest come back here. */
  private retry(why: string, delayMs = backoffMs(this.attempt++)): void {
    if (this.stopped) return;
    this.d.log(`${why}; retrying in ${(delayMs / 1000).toFixed(1)} s`);
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((e: unknown) => this.fatal(e));
    }, delayMs);
  }

  /** Set by main.ts: how a fatal error (fingerprint mismatch, refused enrollment) ends the run. */
  fatal: (e: unknown) => void = (e) => {
    throw e;
  };

  private openChannel(hub: string, id: Identity): void {
    const url = new URL('/channel', hub);
    url.protocol = 'wss:';
    let revoked = false;
    const ws = new WebSocket(url, {
      ca: id.caPem,
      cert: id.certPem,
      key: id.keyPem,
      handshakeTimeout: 15_000,
      perMessageDeflate: true,
      maxPayload: 4 * 1024 * 1024,
    });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      // The hub refuses a revoked certificate's upgrade with 403 CERTIFICATE_REVOKED.
      revoked = res.statusCode === 403;
      ws.terminate();
    });
    ws.on('open', () => {
      this.open = true;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.sentSeq = this.d.buffer.acked;
      this.d.log('connected to the hub');
      this.send({
        type: 'hello',
        protocol: AGENT_PROTOCOL_VERSION,
        version: AGENT_VERSION,
        hostname: hostname(),
        os: `${type()} ${release()}`,
        architecture: arch(),
        interval: this.interval,
        dropped: this.d.buffer.dropped,
        buffered: this.d.buffer.pending,
        certificate_expires_at: id.notAfter.toISOString(),
        ...(this.d.logs
          ? { logs_dropped: this.d.logs.dropped, logs_buffered: this.d.logs.pending }
          : {}),
      });
      this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
      this.maybeRenew();
      this.pump();
    });
    ws.on('message', (data, isBinary) => {
      this.lastHeard = Date.now();
      if (isBinary) return;
      const msg = parseHubMessage(String(data));
      if (msg) this.onMessage(msg);
      else this.d.log('ignored a malformed message from the hub');
    });
    ws.on('ping', () => (this.lastHeard = Date.now()));
    ws.on('error', (e) => {
      if (!this.open) this.d.log(`channel: ${e.message}`);
    });
    ws.on('close', (code) => {
      const wasOpen = this.open;
      this.open = false;
      this.pumping = false;
      // A renewal answered on a dead channel never comes: ask again on the next one.
      this.renewing = null;
      this.d.logs?.detach();
      if (this.ws === ws) this.ws = null;
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      if (this.stopped) return;
      if (revoked || code === AGENT_CLOSE.REVOKED) {
        this.d.log('certificate revoked, re-enrollment needed');
        this.retry('the hub refuses this certificate', REVOKED_RETRY_MS);
        return;
      }
      this.retry(wasOpen ? `channel closed (${code})` : 'cannot reach the hub');
    });
  }

  private heartbeat(): void {
    if (!this.ws || !this.open) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      this.d.log('no word from the hub: reconnecting');
      this.ws.terminate();
      return;
    }
    this.send({ type: 'heartbeat', at: new Date().toISOString() });
  }

  private send(msg: unknown): void {
    this.ws?.send(JSON.stringify(msg));
  }

  /** Hands unsent records to the socket in order, one frame at a time. */
  private pump(): void {
    const ws = this.ws;
    if (!ws || !this.open || this.pumping || ws.bufferedAmount > MAX_IN_FLIGHT_BYTES) return;
    const records = this.d.buffer.read(this.sentSeq, BATCH);
    if (records.length === 0) return;
    // The payloads are the samples' JSON already: splice them in instead of parsing them back.
    const text =
      records.length === 1
        ? `{"type":"sample","seq":${records[0].seq},"sample":${records[0].payload.toString('utf8')}}`
        : `{"type":"samples","samples":[${records
            .map((r) => `{"seq":${r.seq},"sample":${r.payload.toString('utf8')}}`)
            .join(',')}]}`;
    this.sentSeq = records[records.length - 1].seq;
    this.pumping = true;
    ws.send(text, (err) => {
      if (this.ws !== ws) return;
      this.pumping = false;
      if (!err) this.pump();
    });
  }

  private onMessage(msg: HubToAgentMessage): void {
    switch (msg.type) {
      case 'settings':
        this.setSampleInterval(msg.interval);
        break;
      case 'ack':
        this.d.buffer.ack(msg.seq);
        // The hub may know more than this connection sent (a restart): never resend below it.
        if (msg.seq > this.sentSeq) this.sentSeq = msg.seq;
        break;
      case 'logs_ack':
        this.d.logs?.ack(msg.seq, this.open ? this.ws : null);
        break;
      case 'command':
        this.onCommand(msg);
        break;
      case 'renewed':
        this.onRenewed(msg.id, msg.ok, msg.certificate, msg.error?.message);
        break;
      case 'heartbeat':
        break;
    }
  }

  private onCommand(cmd: CommandMessage): void {
    const reply = (ok: boolean, result?: unknown, error?: { code: string; message: string }) =>
      this.send({ type: 'reply', id: cmd.id, ok, result, error });
    switch (cmd.name) {
      case 'set_interval': {
        const n = Number(cmd.params['interval']);
        if (!Number.isInteger(n) || n < 1 || n > 3600) {
          reply(false, undefined, { code: 'BAD_REQUEST', message: 'interval must be 1–3600' });
          return;
        }
        this.setSampleInterval(n);
        reply(true, { interval: n });
        return;
      }
      case 'ping':
        reply(true, { pong: true, at: new Date().toISOString() });
        return;
      case AGENT_COMMANDS.PROCESS_LIST:
      case AGENT_COMMANDS.PROCESS_DETAIL:
      case AGENT_COMMANDS.PROCESS_SIGNAL:
        void this.processCommand(cmd).then((a) =>
          a.ok ? reply(true, a.result) : reply(false, undefined, a.error),
        );
        return;
      default:
        reply(false, undefined, {
          code: 'UNKNOWN_COMMAND',
          message: `unknown command '${cmd.name}'`,
        });
    }
  }

  /**
   * Process list, detail and signals, checked here whatever the hub checked. The module (and
   * its process table) is loaded on the first such command, so an agent that is never asked
   * keeps none of it in memory.
   */
  private async processCommand(cmd: CommandMessage): Promise<CommandAnswer> {
    try {
      this.processCommands ??= import('./process-commands').then(
        (m) => new m.ProcessCommands({ procRoot: this.d.opts.procRoot ?? undefined }),
      );
      return (await this.processCommands).handle(cmd.name, cmd.params);
    } catch (e) {
      this.processCommands = null;
      return { ok: false, error: { code: 'INTERNAL_ERROR', message: (e as Error).message } };
    }
  }

  /** At two thirds of the certificate's life, ask for a new one over the live channel. */
  private maybeRenew(now = Date.now()): void {
    const id = this.identity;
    if (!id || this.renewing || !this.open) return;
    const start = id.notBefore.getTime();
    const renewAt = start + ((id.notAfter.getTime() - start) * 2) / 3;
    if (now < renewAt) {
      // Checked again on each connection and at the due time (capped by setTimeout's range).
      const t = setTimeout(() => this.maybeRenew(), Math.min(renewAt - now, 2 ** 31 - 1));
      t.unref();
      return;
    }
    this.renewing = { id: randomUUID(), keyPem: '' };
    void this.sendRenewal(this.renewing);
  }

  private async sendRenewal(pending: { id: string; keyPem: string }): Promise<void> {
    try {
      const { keyPem, csrPem } = (await loadPki()).createKeyAndCsr(this.d.opts.id);
      pending.keyPem = keyPem;
      this.d.log('certificate at 2/3 of its validity: renewing');
      this.send({ type: 'renew', id: pending.id, csr: csrPem });
    } catch (e) {
      this.renewing = null;
      this.d.log(`renewal failed: ${(e as Error).message}`);
    }
  }

  private onRenewed(id: string, ok: boolean, certificate?: string, error?: string): void {
    const pending = this.renewing;
    if (!pending || pending.id !== id) return;
    this.renewing = null;
    if (!ok || !certificate) {
      this.d.log(`renewal refused: ${error ?? 'no certificate'}`);
      return;
    }
    const current = this.identity as Identity;
    this.d.state.saveIdentity(pending.keyPem, certificate, current.caPem);
    this.identity = this.d.state.identity();
    this.d.log(`certificate renewed, valid until ${this.identity?.notAfter.toISOString()}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.reconnectTimer = setTimeout(resolve, ms);
    });
  }
}
