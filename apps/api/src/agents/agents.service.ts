import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HubBus, OnHubEvent } from '../common/bus';
import {
  AGENT_DELETED,
  AGENT_REVOKED,
  AGENT_STATUS,
  LOCAL_AGENT_ID,
  type Agent,
  type AgentCaResponse,
  type AgentDeletedEvent,
  type AgentRevokedEvent,
  type AgentStatus,
  type AgentStatusEvent,
  type CreateAgentRequest,
  type CreateAgentResponse,
  type EnrollmentDecisionResponse,
  type PendingEnrollment,
} from '@tyto/contracts';
import { normalizeSerial } from '@tyto/pki';
import { hostname as osHostname } from 'node:os';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError, notFound } from '../common/errors';
import { TYTO_VERSION } from '../common/version';
import { METRICS_SAMPLE, type MetricsSampleEvent } from '../metrics/metrics.events';
import { SettingsService } from '../settings/settings.service';
import { holdsLiveCertificate, OFFLINE_AFTER_INTERVALS, toAgent } from './agent-view';
import type { AgentEntity } from './agent.entity';
import { AgentsPkiService, type TlsMaterial } from './agents-pki.service';
import { AgentsRepository } from './agents.repository';
import {
  csrPublicKey,
  ENROLLMENT_TOKEN_TTL_MS,
  EnrollmentService,
  hashToken,
  newAgentRow,
  newEnrollmentToken,
  type EnrollmentResult,
} from './enrollment.service';

export type { EnrollmentResult } from './enrollment.service';
export type { TlsMaterial } from './agents-pki.service';

/** Last-seen times are written back at most this often (one transaction for all agents). */
const SEEN_FLUSH_MS = 5_000;
/** How often connected agents are checked for silence (and announced offline). */
const SWEEP_MS = 5_000;

/** Where `POST /api/v1/agents` points the install line: the hub's web URL and a listener host. */
export interface HubAddress {
  /** `http(s)://host[:port]` the user reached the hub at. */
  hubUrl: string;
  /** Host name the user reached the hub by, if it is one of the listener certificate's names. */
  requestHost: string | null;
}

/**
 * The agent registry: the `agents` table (with `local`, the hub's own host), enrollment,
 * revocation and deletion, and what the agent listener asks (TLS material, whether a client
 * certificate is acceptable, liveness). The listener reaches the registry only through this.
 */
@Injectable()
export class AgentsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AgentsService.name);
  /** Agent id → last message time (ISO) not yet written back. */
  private readonly unsavedSeen = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private listenerPort: number;
  /** Connected agents already announced offline for their silence. */
  private readonly silent = new Set<string>();

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly repo: AgentsRepository,
    private readonly pki: AgentsPkiService,
    private readonly enrollment: EnrollmentService,
    private readonly settings: SettingsService,
    private readonly bus: HubBus,
  ) {
    this.listenerPort = config.agentPort;
  }

  async onModuleInit(): Promise<void> {
    const now = new Date().toISOString();
    await this.repo.insertAgentIfMissing(
      Object.assign(newAgentRow(LOCAL_AGENT_ID, osHostname() || LOCAL_AGENT_ID, now), {
        hostname: osHostname(),
        os: process.platform,
        architecture: process.arch,
        version: TYTO_VERSION,
        status: 'online',
      } satisfies Partial<AgentEntity>),
    );
    this.flushTimer = setInterval(() => void this.flushSeen(), SEEN_FLUSH_MS);
    this.flushTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweepSilent(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.flushSeen();
  }

  // ---------- for the agent listener ----------

  /** The port the agent listener really listens on (it may have been given 0). */
  setListenerPort(port: number): void {
    this.listenerPort = port;
  }

  enroll(req: unknown, remoteAddress: string): Promise<EnrollmentResult> {
    return this.enrollment.enroll(req, remoteAddress);
  }

  pollEnrollment(requestId: string): Promise<EnrollmentResult> {
    return this.enrollment.poll(requestId);
  }

  /** The current CA, server certificate and key, and CRL (PEM); replaced on `agents.tls.changed`. */
  tlsMaterial(): TlsMaterial {
    return this.pki.tlsMaterial();
  }

  /** True when `serial` is the enrolled agent's current, unrevoked certificate. */
  async acceptsCertificate(agentId: string, serial: string): Promise<boolean> {
    if (agentId === LOCAL_AGENT_ID) return false;
    const row = await this.repo.findAgent(agentId);
    if (!row || !holdsLiveCertificate(row) || row.certSerial !== normalizeSerial(serial)) {
      return false;
    }
    const cert = await this.repo.findCertificate(row.certSerial);
    return cert !== null && cert.revokedAt === null && Date.parse(cert.notAfter) > Date.now();
  }

  /**
   * A new certificate for a fresh key, asked over the live channel. The old certificate stops
   * being accepted (`acceptsCertificate` wants the current serial) and goes on the CRL with the
   * rest if the agent is later revoked.
   */
  async renew(
    agentId: string,
    csrPem: string,
  ): Promise<{ certificatePem: string; notAfter: Date }> {
    const { publicKeyPem } = csrPublicKey(csrPem);
    const row = await this.repo.findAgent(agentId);
    if (!row || agentId === LOCAL_AGENT_ID || !holdsLiveCertificate(row)) {
      throw new AppError('FORBIDDEN', 'Only an enrolled, unrevoked agent can renew');
    }
    const now = new Date();
    const issued = this.pki.issue(agentId, publicKeyPem, now);
    await this.repo.recordCertificate({
      serial: issued.serial,
      agentId,
      issuedAt: now.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      revokedAt: null,
    });
    await this.repo.updateAgent(agentId, {
      certSerial: issued.serial,
      certExpiresAt: issued.notAfter.toISOString(),
    });
    return { certificatePem: issued.certPem, notAfter: issued.notAfter };
  }

  /** The agent's channel is up (after its hello): what it says about itself, and where from. */
  async markOnline(
    agentId: string,
    info: {
      version: string;
      address: string;
      hostname?: string;
      os?: string;
      architecture?: string;
    },
  ): Promise<boolean> {
    const now = new Date().toISOString();
    this.unsavedSeen.delete(agentId);
    this.silent.delete(agentId);
    // Conditional: a revocation made meanwhile (on any replica) must not be undone.
    const online = await this.repo.updateUnlessRevoked(agentId, {
      status: 'online',
      lastSeen: now,
      version: info.version,
      address: info.address,
      ...(info.hostname ? { hostname: info.hostname } : {}),
      ...(info.os ? { os: info.os } : {}),
      ...(info.architecture ? { architecture: info.architecture } : {}),
    });
    if (online) this.announce(agentId, 'online');
    return online;
  }

  /** Messages arrived from these agents at `at`; written back in one batch every few seconds. */
  markSeen(agentIds: string[], at: Date): void {
    const iso = at.toISOString();
    for (const id of agentIds) this.unsavedSeen.set(id, iso);
  }

  /** The agent's channel closed. A revoked agent stays revoked. */
  async markOffline(agentId: string): Promise<void> {
    await this.flushSeen();
    const row = await this.repo.findAgent(agentId);
    if (!row || row.status !== 'online' || agentId === LOCAL_AGENT_ID) return;
    await this.repo.updateAgent(agentId, { status: 'offline' });
    this.announce(agentId, 'offline');
  }

  // The hub samples its own host: each local sample is a sign of life, like an agent's message.
  @OnHubEvent(METRICS_SAMPLE, { localOnly: true })
  onSample(sample: MetricsSampleEvent): void {
    if (sample.agent_id === LOCAL_AGENT_ID) this.unsavedSeen.set(LOCAL_AGENT_ID, sample.timestamp);
  }

  // ---------- for the REST API ----------

  async list(): Promise<Agent[]> {
    const rows = await this.repo.listAgents();
    const now = Date.now();
    return rows.map((r) => this.view(r, now));
  }

  async get(id: string): Promise<Agent> {
    return this.view(await this.find(id), Date.now());
  }

  ca(): AgentCaResponse {
    return { fingerprint: this.pki.fingerprint, certificate: this.pki.caPem };
  }

  /**
   * Pre-registers an agent and hands out a one-time enrollment token with the install line. An
   * id that exists but holds no live certificate (never enrolled, or revoked) gets a new token
   * (the old one stops working) and the new name.
   */
  async create(body: CreateAgentRequest, at: HubAddress): Promise<CreateAgentResponse> {
    if (body.id === LOCAL_AGENT_ID) {
      throw new AppError('LOCAL_AGENT_IMMUTABLE', "'local' is the hub's own host");
    }
    const nowDate = new Date();
    const now = nowDate.toISOString();
    const existing = await this.repo.findAgent(body.id);
    if (existing && holdsLiveCertificate(existing)) {
      throw new AppError(
        'AGENT_ID_TAKEN',
        `The agent id '${body.id}' is held by an enrolled agent`,
        {
          id: body.id,
        },
      );
    }
    const token = newEnrollmentToken();
    const expiresAt = new Date(nowDate.getTime() + ENROLLMENT_TOKEN_TTL_MS).toISOString();
    const row = existing ?? newAgentRow(body.id, body.name, now);
    row.name = body.name;
    row.enrollmentTokenHash = hashToken(token);
    row.enrollmentTokenExpiresAt = expiresAt;
    await this.repo.saveAgent(row);
    return {
      agent: this.view(row, nowDate.getTime()),
      enrollment_token: token,
      expires_at: expiresAt,
      command: this.installCommand(at, body.id, token),
    };
  }

  /** Revokes the agent's certificates (all of them), rebuilds the CRL and drops its channel. */
  async revoke(id: string): Promise<Agent> {
    const row = await this.find(id);
    if (id === LOCAL_AGENT_ID) {
      throw new AppError(
        'LOCAL_AGENT_IMMUTABLE',
        "'local' is the hub's own host: it cannot be revoked",
      );
    }
    if (row.status === 'revoked') return this.view(row, Date.now());
    const now = new Date().toISOString();
    await this.repo.revokeCertificatesOf(id, now);
    Object.assign(row, {
      status: 'revoked',
      revokedAt: now,
      enrollmentTokenHash: null,
      enrollmentTokenExpiresAt: null,
    } satisfies Partial<AgentEntity>);
    await this.repo.saveAgent(row);
    await this.pki.refreshCrl();
    this.bus.publish(AGENT_REVOKED, {
      agentId: id,
      serial: row.certSerial,
    } satisfies AgentRevokedEvent);
    this.announce(id, 'revoked');
    return this.view(row, Date.now());
  }

  /** Deletes the agent; its certificates stay on the CRL until they expire. */
  async remove(id: string): Promise<Agent> {
    const row = await this.find(id);
    if (id === LOCAL_AGENT_ID) {
      throw new AppError(
        'LOCAL_AGENT_IMMUTABLE',
        "'local' is the hub's own host: it cannot be deleted",
      );
    }
    const view = this.view(row, Date.now());
    this.unsavedSeen.delete(id);
    await this.repo.deleteAgent(id, new Date().toISOString());
    await this.pki.refreshCrl();
    this.bus.publish(AGENT_DELETED, { agentId: id } satisfies AgentDeletedEvent);
    return view;
  }

  listPending(): Promise<PendingEnrollment[]> {
    return this.enrollment.listPending();
  }

  async approve(requestId: string): Promise<EnrollmentDecisionResponse> {
    const { request, agent } = await this.enrollment.approve(requestId);
    this.announce(agent.id, 'offline');
    return {
      id: request.id,
      agent_id: request.agentId,
      status: 'approved',
      agent: this.view(agent, Date.now()),
    };
  }

  async reject(requestId: string): Promise<EnrollmentDecisionResponse> {
    const request = await this.enrollment.reject(requestId);
    return { id: request.id, agent_id: request.agentId, status: 'rejected', agent: null };
  }

  // ---------- internals ----------

  private async find(id: string): Promise<AgentEntity> {
    const row = await this.repo.findAgent(id);
    if (!row) throw notFound('Agent');
    return row;
  }

  private staleMs(): number {
    return OFFLINE_AFTER_INTERVALS * this.settings.get().refresh_interval * 1000;
  }

  private view(row: AgentEntity, now: number): Agent {
    return toAgent(row, this.unsavedSeen.get(row.id) ?? row.lastSeen, now, this.staleMs());
  }

  private announce(agentId: string, status: AgentStatus): void {
    this.bus.publish(AGENT_STATUS, { agentId, status } satisfies AgentStatusEvent);
  }

  /**
   * `curl … | sudo sh -s -- --hub https://HOST:PORT --ca-fingerprint … --token … --id …`. HOST is
   * the name the user reached the hub by when the listener's certificate carries it (so it
   * verifies), else the certificate's first name.
   */
  private installCommand(at: HubAddress, id: string, token: string): string {
    const names = this.pki.hostnames;
    const host = at.requestHost && names.includes(at.requestHost) ? at.requestHost : names[0];
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return (
      `curl -fsSL ${at.hubUrl}/downloads/install.sh | sudo sh -s -- --download-from ${at.hubUrl} ` +
      `--hub https://${hostPart}:${this.listenerPort} --ca-fingerprint ${this.pki.fingerprint} ` +
      `--token ${token} --id ${id}`
    );
  }

  private async flushSeen(): Promise<void> {
    if (this.unsavedSeen.size === 0) return;
    const batch = [...this.unsavedSeen].map(([id, at]) => ({ id, at }));
    this.unsavedSeen.clear();
    try {
      await this.repo.touchMany(batch);
    } catch (e) {
      this.logger.warn(`saving agents' last-seen times failed: ${(e as Error).message}`);
    }
  }

  /**
   * Announces `offline` for a connected agent silent for 3 intervals, and `online` when it speaks
   * again. The stored status stays what the channel said (open or closed); silence is applied
   * when an agent is read.
   */
  private async sweepSilent(): Promise<void> {
    try {
      const now = Date.now();
      const connected = new Set<string>();
      for (const row of await this.repo.listOnline()) {
        if (row.id === LOCAL_AGENT_ID) continue;
        connected.add(row.id);
        const silent = this.view(row, now).status === 'offline';
        if (silent && !this.silent.has(row.id)) {
          this.silent.add(row.id);
          this.announce(row.id, 'offline');
        } else if (!silent && this.silent.delete(row.id)) {
          this.announce(row.id, 'online');
        }
      }
      for (const id of this.silent) if (!connected.has(id)) this.silent.delete(id);
    } catch (e) {
      this.logger.warn(`agent status sweep failed: ${(e as Error).message}`);
    }
  }
}
