import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  AGENT_DELETED,
  AGENT_REVOKED,
  AGENTS_TLS_CHANGED,
  type AgentsTlsChangedEvent,
} from '@tyto/contracts';
import { DataSource } from 'typeorm';
import { HubBus, OnHubEvent, type DeliveredEnvelope } from '../common/bus';
import {
  createCrl,
  fingerprintOf,
  issueClientCertificate,
  issueServerCertificate,
  loadOrCreateCa,
  type CaMaterial,
} from '@tyto/pki';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { PRIVATE_FILE_MODE } from '../database/data-files';
import { withStartupLock } from '../database/data-source';
import { AgentsRepository } from './agents.repository';

/** What the agent listener serves with; replaced as a whole when anything in it changes. */
export interface TlsMaterial {
  caPem: string;
  /** The listener's certificate alone; present it with the CA as the chain (`cert: [server, ca]`). */
  serverCertPem: string;
  serverKeyPem: string;
  crlPem: string;
}

/** The CRL says "next update in 24 h" and is remade every hour, so it is never stale. */
export const CRL_NEXT_UPDATE_HOURS = 24;
const CRL_REFRESH_MS = 3_600_000;
const SERVER_CERT_DAYS = 365;
/** The listener's certificate is remade this long before it expires. */
const SERVER_CERT_RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * Tyto's agent PKI on the hub: the CA in `<data dir>/pki` (created at first start), the agent
 * listener's server certificate (reissued when its names change or it nears expiry), and the
 * CRL, rebuilt from the database on every revocation and every hour. Every change is announced
 * as `agents.tls.changed` so the listener reloads.
 */
@Injectable()
export class AgentsPkiService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AgentsPkiService.name);
  private ca!: CaMaterial;
  private material!: TlsMaterial;
  private timer: NodeJS.Timeout | null = null;
  private crlNumber = 0;
  private readonly dir: string;
  readonly hostnames: string[];

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly repo: AgentsRepository,
    private readonly bus: HubBus,
    private readonly ds: DataSource,
  ) {
    this.dir = config.pkiDir;
    this.hostnames = config.agentHostnames ?? [hostname(), 'localhost', '127.0.0.1'];
  }

  async onModuleInit(): Promise<void> {
    // Replicas share the PKI directory: one creates the CA and certificate, the others read them.
    await withStartupLock(this.ds, async () => {
      this.ca = loadOrCreateCa(this.dir, this.config.caPassphrase ?? undefined);
      this.material = {
        caPem: this.ca.certPem,
        ...this.loadOrIssueServerCertificate(),
        crlPem: '',
      };
    });
    this.logger.log(`agent CA fingerprint ${this.ca.fingerprint}`);
    await this.refreshCrl(false);
    this.timer = setInterval(() => void this.periodic(), CRL_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get fingerprint(): string {
    return this.ca.fingerprint;
  }

  get caPem(): string {
    return this.ca.certPem;
  }

  tlsMaterial(): TlsMaterial {
    return this.material;
  }

  issue(agentId: string, publicKeyPem: string, now = new Date()) {
    return issueClientCertificate(this.ca, {
      agentId,
      publicKeyPem,
      days: this.config.agentCertDays,
      now,
    });
  }

  /** Rebuilds the CRL from the database and announces it (unless `announce` is false at boot). */
  async refreshCrl(announce = true): Promise<void> {
    const now = new Date();
    const revoked = await this.repo.listRevokedUnexpired(now.toISOString());
    // Strictly increasing across refreshes and restarts (RFC 5280 §5.2.3).
    this.crlNumber = Math.max(this.crlNumber + 1, Math.floor(now.getTime() / 1000));
    const crlPem = createCrl(
      this.ca,
      revoked.map((c) => ({ serial: c.serial, revokedAt: new Date(c.revokedAt ?? now) })),
      { now, nextUpdateHours: CRL_NEXT_UPDATE_HOURS, crlNumber: this.crlNumber },
    );
    this.material = { ...this.material, crlPem };
    if (announce) this.bus.publish(AGENTS_TLS_CHANGED, {} satisfies AgentsTlsChangedEvent);
  }

  /** A revocation on another replica: rebuild the CRL here too, so the listener refuses it. */
  @OnHubEvent(AGENT_REVOKED)
  @OnHubEvent(AGENT_DELETED)
  async onRevocation(_event: unknown, envelope: DeliveredEnvelope): Promise<void> {
    if (envelope.local) return;
    try {
      await this.refreshCrl();
    } catch (e) {
      this.logger.error(`rebuilding the CRL after a revocation failed: ${(e as Error).message}`);
    }
  }

  private async periodic(): Promise<void> {
    try {
      const cert = new X509Certificate(this.material.serverCertPem);
      if (Date.parse(cert.validTo) - Date.now() < SERVER_CERT_RENEW_BEFORE_MS) {
        const server = this.issueAndStoreServerCertificate();
        this.material = { ...this.material, ...server };
      }
      await this.refreshCrl();
    } catch (e) {
      this.logger.error(`refreshing the agent CRL failed: ${(e as Error).message}`);
    }
  }

  /**
   * The stored server certificate if it is this CA's, names exactly the configured hosts and is
   * not close to expiry; a new one otherwise.
   */
  private loadOrIssueServerCertificate(): { serverCertPem: string; serverKeyPem: string } {
    const certFile = path.join(this.dir, 'agent-listener.crt');
    const keyFile = path.join(this.dir, 'agent-listener.key');
    if (existsSync(certFile) && existsSync(keyFile)) {
      const certPem = readFileSync(certFile, 'utf8');
      const keyPem = readFileSync(keyFile, 'utf8');
      if (this.serverCertificateFits(certPem)) {
        return { serverCertPem: certPem, serverKeyPem: keyPem };
      }
    }
    return this.issueAndStoreServerCertificate();
  }

  private serverCertificateFits(certPem: string): boolean {
    try {
      const cert = new X509Certificate(certPem);
      const ca = new X509Certificate(this.ca.certPem);
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
      if (Date.parse(cert.validTo) - Date.now() < SERVER_CERT_RENEW_BEFORE_MS) return false;
      const names = (cert.subjectAltName ?? '')
        .split(', ')
        .map((n) => n.replace(/^(DNS|IP Address):/, ''))
        .sort();
      return JSON.stringify(names) === JSON.stringify([...new Set(this.hostnames)].sort());
    } catch {
      return false;
    }
  }

  private issueAndStoreServerCertificate(): { serverCertPem: string; serverKeyPem: string } {
    const server = issueServerCertificate(this.ca, {
      hostnames: [...new Set(this.hostnames)],
      days: SERVER_CERT_DAYS,
    });
    const write = (file: string, text: string, mode: number) => {
      const tmp = `${file}.${process.pid}.tmp`;
      // Written beside, then renamed: the key is never half-written, and chmod because the umask
      // filters the mode given to open.
      writeFileSync(tmp, text, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, file);
    };
    write(path.join(this.dir, 'agent-listener.key'), server.keyPem, PRIVATE_FILE_MODE);
    write(path.join(this.dir, 'agent-listener.crt'), server.certPem, 0o644);
    this.logger.log(
      `agent listener certificate for ${this.hostnames.join(', ')} (${fingerprintOf(server.certPem)})`,
    );
    return { serverCertPem: server.certPem, serverKeyPem: server.keyPem };
  }
}
