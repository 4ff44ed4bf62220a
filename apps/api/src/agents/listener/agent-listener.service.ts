import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { OnHubEvent } from '../../common/bus';
import {
  AGENT_CLOSE,
  AGENT_DELETED,
  AGENT_REVOKED,
  AGENTS_TLS_CHANGED,
  ERROR_STATUS,
  type AgentDeletedEvent,
  type AgentRevokedEvent,
  type ErrorCode,
} from '@tyto/contracts';
import { constants as cryptoConstants } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { PeerCertificate, SecureContextOptions, TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { AuditService } from '../../audit/audit.service';
import { TYTO_CONFIG, type TytoConfig } from '../../common/config';
import { AppError } from '../../common/errors';
import { AgentLogsService } from '../../logs/agent-logs.service';
import { SampleSources } from '../../metrics/sample-source';
import { AgentsService } from '../agents.service';
import { EnrollmentLimit } from '../enrollment-limit';
import { AgentConnection, type ConnectionHooks } from './agent-connection';
import { AgentIngestService } from './agent-ingest.service';

/** Request bodies on the enrollment routes (a CSR is at most 16 KiB). */
const MAX_BODY = 64 * 1024;
/**
 * markSeen is batched: one call for every agent heard from in this window. Shorter than the
 * shortest offline window (3 intervals of 1 s), or agents sampling every second flap offline;
 * AgentsService batches the database writes itself.
 */
const SEEN_FLUSH_MS = 1_000;

/**
 * The agent listener: one HTTPS server on TYTO_AGENT_PORT for everything an agent talks to.
 * Unauthenticated: `GET /ca`, `POST /enroll`, `GET /enroll/:request_id`. Mutual TLS: the
 * `GET /channel` WebSocket, accepted only for a certificate that verified against the CA and
 * CRL and is its agent's current one; the agent id is the certificate's CN.
 *
 * TLS: 1.2+, client certificate requested but not required (enrollment has none), the CRL
 * replaced live on `agents.tls.changed`, and no session resumption (tickets off, no session
 * cache), so a revoked certificate always meets the CRL in a full handshake.
 */
@Injectable()
export class AgentListenerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentListenerService.name);
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly connections = new Map<string, AgentConnection>();
  private readonly seen = new Set<string>();
  /** Every TCP connection of the listener, so shutdown can end them (upgraded ones included). */
  private readonly sockets = new Set<Socket>();
  private seenTimer: NodeJS.Timeout | null = null;
  private readonly hooks: ConnectionHooks;

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly agents: AgentsService,
    private readonly sources: SampleSources,
    private readonly ingest: AgentIngestService,
    private readonly audit: AuditService,
    private readonly enrollmentLimit: EnrollmentLimit,
    private readonly logs: AgentLogsService,
  ) {
    this.hooks = {
      onHello: async (c, hello) => {
        const last = await this.ingest.lastStored(c.agentId);
        // Only an agent that ships logs says how many batches it holds; older ones get no logs_ack.
        const lastLogs =
          hello.logs_buffered !== undefined ? await this.logs.resume(c.agentId) : null;
        // A newer channel of the same agent replaces the old one, which SampleSources closes; it
        // is no longer the agent's connection by then, so closing it does not mark the agent offline.
        this.connections.set(c.agentId, c);
        this.sources.register(c);
        c.send({ type: 'settings', interval: this.sources.interval ?? this.config.sampleInterval });
        c.send({ type: 'ack', seq: last });
        if (lastLogs !== null) c.send({ type: 'logs_ack', seq: lastLogs });
        const online = await this.agents.markOnline(c.agentId, {
          version: hello.version,
          address: c.address,
          hostname: hello.hostname,
          os: hello.os,
          architecture: hello.architecture,
        });
        // Revoked between the handshake and now (possibly on another replica): cut it off.
        if (!online) {
          c.close('certificate revoked', AGENT_CLOSE.REVOKED);
          return;
        }
        if (hello.dropped > 0)
          this.logger.warn(`agent '${c.agentId}' dropped ${hello.dropped} buffered samples (cap)`);
        if (hello.logs_dropped)
          this.logger.warn(
            `agent '${c.agentId}' dropped ${hello.logs_dropped} buffered log batches (cap)`,
          );
      },
      onSamples: (c, samples) => this.ingest.accept(this.sources, c, samples),
      onLogs: (c, batches) => this.logs.accept(c.agentId, batches),
      onForeignSample: (c, claimed) => {
        this.logger.warn(`agent '${c.agentId}' sent samples claiming to be '${claimed}': dropped`);
        void this.audit.record({
          action: 'agent.impersonation',
          actor: null,
          target: claimed,
          ip: c.address,
          outcome: 'failure',
          status: 403,
          details: { agent_id: c.agentId, claimed_agent_id: claimed },
        });
      },
      onRenew: async (c, csr) => this.agents.renew(c.agentId, csr),
      onSeen: (c) => {
        this.seen.add(c.agentId);
      },
      onClose: (c) => {
        this.sources.unregister(c);
        if (this.connections.get(c.agentId) === c) {
          this.connections.delete(c.agentId);
          void this.agents.markOffline(c.agentId).catch((e: unknown) => {
            this.logger.warn(`marking '${c.agentId}' offline failed: ${(e as Error).message}`);
          });
        }
      },
      log: (line) => this.logger.warn(line),
    };
  }

  /** The port actually listened on (TYTO_AGENT_PORT, or the free one picked for 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer({
      ...this.tlsOptions(),
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // No session tickets; with resumeSession handled below there is no session-id cache either.
      secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
    });
    server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => cb());
    server.on('resumeSession', (_id: Buffer, cb: (err: null, data: null) => void) =>
      cb(null, null),
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => this.onSecureConnection(socket));
    server.on('tlsClientError', () => undefined);
    server.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res),
    );
    server.on(
      'upgrade',
      (req: IncomingMessage, socket: Socket, head: Buffer) =>
        void this.onUpgrade(req, socket as TLSSocket, head),
    );
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: true,
      maxPayload: 4 * 1024 * 1024,
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.agentPort, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.agents.setListenerPort(this.port);
    this.seenTimer = setInterval(() => this.flushSeen(), SEEN_FLUSH_MS);
    this.seenTimer.unref();
    this.logger.log(`agent listener on https://${this.config.host}:${this.port}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.seenTimer) clearInterval(this.seenTimer);
    this.flushSeen();
    for (const c of [...this.connections.values()])
      c.close('hub shutting down', AGENT_CLOSE.SHUTDOWN);
    this.wss?.close();
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Channels had their close frame; whatever is still open a moment later (a peer that does
    // not answer, a handshake in progress) is cut, so shutdown never waits on an agent.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Closes a revoked agent's live channel at once; its next handshake meets the new CRL. */
  @OnHubEvent(AGENT_REVOKED)
  onRevoked(e: AgentRevokedEvent): void {
    this.reloadTls();
    this.connections.get(e.agentId)?.close('certificate revoked', AGENT_CLOSE.REVOKED);
  }

  @OnHubEvent(AGENT_DELETED)
  onDeleted(e: AgentDeletedEvent): void {
    this.connections.get(e.agentId)?.close('agent deleted', AGENT_CLOSE.REVOKED);
    void this.ingest.forget(e.agentId);
  }

  @OnHubEvent(AGENTS_TLS_CHANGED)
  reloadTls(): void {
    try {
      this.server?.setSecureContext(this.tlsOptions());
    } catch (e) {
      this.logger.error(
        `reloading the agent listener's TLS material failed: ${(e as Error).message}`,
      );
    }
  }

  private tlsOptions(): SecureContextOptions {
    const m = this.agents.tlsMaterial();
    return {
      key: m.serverKeyPem,
      // The chain [server, CA], so an agent that pins the CA can verify it.
      cert: `${m.serverCertPem.trim()}\n${m.caPem.trim()}\n`,
      ca: m.caPem,
      crl: m.crlPem,
    };
  }

  private flushSeen(): void {
    if (this.seen.size === 0) return;
    const ids = [...this.seen];
    this.seen.clear();
    this.agents.markSeen(ids, new Date());
  }

  /**
   * A client certificate that does not verify (another CA, self-signed, expired, not yet valid)
   * ends the connection at once. A revoked one gets to the upgrade, which answers 403 so the
   * agent knows to stop; no certificate at all is enrollment.
   */
  private onSecureConnection(socket: TLSSocket): void {
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0 || socket.authorized) return;
    const why = String(socket.authorizationError);
    if (why === 'CERT_REVOKED') return;
    this.refused(socket, why, commonName(peer), peer.serialNumber ?? null);
    socket.destroy();
  }

  private refused(socket: Socket, why: string, cn: string | null, serial: string | null): void {
    this.logger.warn(
      `agent handshake refused (${why}) for '${cn ?? '?'}' from ${socket.remoteAddress}`,
    );
    void this.audit.record({
      action: 'agent.handshake',
      actor: null,
      target: cn,
      ip: socket.remoteAddress ?? null,
      outcome: 'failure',
      status: 403,
      details: { reason: why, serial },
    });
  }

  private async onUpgrade(req: IncomingMessage, socket: TLSSocket, head: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/channel' || req.method !== 'GET') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const peer = socket.getPeerCertificate();
    const cn = peer ? commonName(peer) : null;
    const serial = peer?.serialNumber ?? null;
    const deny = (why: string, status: 401 | 403, code: string) => {
      this.refused(socket, why, cn, serial);
      const body = JSON.stringify({ error: why, code, details: {} });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (!cn || !serial) return deny('no client certificate', 401, 'UNAUTHENTICATED');
    if (!socket.authorized) {
      const why = String(socket.authorizationError);
      return why === 'CERT_REVOKED'
        ? deny('certificate revoked', 403, 'CERTIFICATE_REVOKED')
        : deny(why, 403, 'FORBIDDEN');
    }
    let ok = false;
    try {
      ok = await this.agents.acceptsCertificate(cn, serial);
    } catch (e) {
      this.logger.error(`checking the certificate of '${cn}' failed: ${(e as Error).message}`);
      socket.destroy();
      return;
    }
    // Not the agent's current certificate (revoked, replaced by a renewal, agent deleted).
    if (!ok) return deny('certificate not accepted', 403, 'CERTIFICATE_REVOKED');
    this.wss?.handleUpgrade(req, socket, head, (ws) => {
      new AgentConnection(cn, serial, socket.remoteAddress ?? '', ws, this.hooks);
    });
  }

  // ---- the unauthenticated enrollment routes ----

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/ca') {
        res.writeHead(200, {
          'content-type': 'application/x-pem-file',
          'cache-control': 'no-store',
        });
        res.end(this.agents.tlsMaterial().caPem);
        return;
      }
      const poll = /^\/enroll\/([A-Za-z0-9_-]{1,64})$/.exec(path);
      if ((req.method === 'POST' && path === '/enroll') || (req.method === 'GET' && poll)) {
        await this.enrollmentLimit.hit(req.socket.remoteAddress ?? '');
        if (poll) return this.reply(res, await this.agents.pollEnrollment(poll[1]));
        // AgentsService validates the body (EnrollmentRequestSchema) and answers 400 itself.
        const body = await readJson(req);
        return this.reply(res, await this.agents.enroll(body, req.socket.remoteAddress ?? ''));
      }
      throw new AppError('NOT_FOUND', `no route ${req.method} ${path}`);
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('INTERNAL_ERROR', 'internal error');
      if (!(e instanceof AppError)) this.logger.error(`agent listener: ${(e as Error).message}`);
      sendJson(res, ERROR_STATUS[err.code as ErrorCode] ?? 500, {
        error: err.message,
        code: err.code,
        details: err.details,
      });
    }
  }

  private reply(
    res: ServerResponse,
    r:
      | { status: 'approved'; certificatePem: string; caCertificatePem: string }
      | { status: 'pending'; requestId: string; pollAfterS: number },
  ): void {
    if (r.status === 'approved') {
      sendJson(res, 200, {
        status: 'approved',
        certificate: r.certificatePem,
        ca_certificate: r.caCertificatePem,
      });
    } else {
      sendJson(res, 202, {
        status: 'pending',
        request_id: r.requestId,
        poll_after_s: r.pollAfterS,
      });
    }
  }
}

/** The subject CN (the agent id); a certificate with several CNs names nobody. */
function commonName(peer: PeerCertificate): string | null {
  const cn = peer.subject?.CN as string | string[] | undefined;
  return typeof cn === 'string' ? cn : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type))
    return Promise.reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'expected application/json'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AppError('PAYLOAD_TOO_LARGE', `request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new AppError('MALFORMED_JSON', 'request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}
