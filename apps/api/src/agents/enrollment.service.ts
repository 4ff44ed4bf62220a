import { Injectable } from '@nestjs/common';
import {
  EnrollmentRequestSchema,
  LOCAL_AGENT_ID,
  type EnrollmentRequest,
  type PendingEnrollment,
} from '@tyto/contracts';
import { parseCsr, PkiError } from '@tyto/pki';
import { createHash, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { AppError, notFound } from '../common/errors';
import { holdsLiveCertificate } from './agent-view';
import { AgentEntity } from './agent.entity';
import { AgentsPkiService } from './agents-pki.service';
import { AgentsRepository } from './agents.repository';
import { EnrollmentRequestEntity } from './enrollment-request.entity';

export type EnrollmentResult =
  | { status: 'approved'; certificatePem: string; caCertificatePem: string }
  | { status: 'pending'; requestId: string; pollAfterS: number };

/** Pending requests expire after a day. */
export const PENDING_TTL_MS = 24 * 3_600_000;
/** Enrollment tokens from `POST /api/v1/agents` are good for an hour. */
export const ENROLLMENT_TOKEN_TTL_MS = 3_600_000;
/** Seconds a pending agent waits between polls. */
export const POLL_AFTER_S = 10;
/** More waiting requests than this and new ones are refused: a flood cannot fill the table. */
export const MAX_PENDING = 1000;
/** Decided requests are kept this long so the agent's poll learns the outcome. */
const DECIDED_KEPT_MS = 7 * 86_400_000;

export const ENROLLMENT_TOKEN_PREFIX = 'tyto_enroll_';
export const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/** A fresh one-time token: 256 random bits. */
export function newEnrollmentToken(): string {
  return ENROLLMENT_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** `sha256:<hex>` over a public key's SPKI DER, as the agent logs it. */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

export function newAgentRow(id: string, name: string, now: string): AgentEntity {
  return Object.assign(new AgentEntity(), {
    id,
    name,
    hostname: null,
    os: null,
    architecture: null,
    version: null,
    status: 'pending',
    lastSeen: null,
    registeredAt: now,
    certSerial: null,
    certExpiresAt: null,
    revokedAt: null,
    address: null,
    enrollmentTokenHash: null,
    enrollmentTokenExpiresAt: null,
  } satisfies AgentEntity);
}

/**
 * Enrollment: a request with a valid one-time token is approved at once; one without waits for an
 * admin (24 h at most). Only the CSR's public key is kept. Every outcome is audited.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly repo: AgentsRepository,
    private readonly pki: AgentsPkiService,
    private readonly audit: AuditService,
  ) {}

  async enroll(input: unknown, remoteAddress: string): Promise<EnrollmentResult> {
    const parsed = EnrollmentRequestSchema.safeParse(input);
    if (!parsed.success) {
      await this.record('agent.enroll', null, remoteAddress, 400, { code: 'VALIDATION_FAILED' });
      throw new AppError('VALIDATION_FAILED', 'Invalid enrollment request', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const req = parsed.data;
    try {
      const result = await this.enrollValid(req, remoteAddress);
      await this.record(
        'agent.enroll',
        req.id,
        remoteAddress,
        result.status === 'approved' ? 200 : 202,
        {
          result: result.status,
          token: req.token !== undefined,
          hostname: req.hostname,
          ...(result.status === 'pending' ? { request_id: result.requestId } : {}),
        },
      );
      return result;
    } catch (e) {
      if (e instanceof AppError) {
        await this.record('agent.enroll', req.id, remoteAddress, e.status, {
          code: e.code,
          ...e.details,
        });
      }
      throw e;
    }
  }

  private async enrollValid(req: EnrollmentRequest, address: string): Promise<EnrollmentResult> {
    const { publicKeyPem } = csrPublicKey(req.csr);
    if (req.id === LOCAL_AGENT_ID) throw idTaken(req.id);
    const nowDate = new Date();
    const now = nowDate.toISOString();
    const existing = await this.repo.findAgent(req.id);
    if (existing && holdsLiveCertificate(existing)) throw idTaken(req.id);

    if (req.token !== undefined) {
      const hash = hashToken(req.token);
      if (
        !existing ||
        existing.enrollmentTokenHash !== hash ||
        !(await this.repo.consumeToken(req.id, hash, now))
      ) {
        throw new AppError(
          'ENROLLMENT_TOKEN_INVALID',
          'The enrollment token is unknown, used, expired or for another id',
        );
      }
      const certificatePem = await this.issueTo(existing, req, address, publicKeyPem, nowDate);
      await this.repo.rejectOthers(req.id, null, now);
      return { status: 'approved', certificatePem, caCertificatePem: this.pki.caPem };
    }

    // The same key asking again (an agent restarted while waiting) gets its request back.
    const fingerprint = publicKeyFingerprint(publicKeyPem);
    for (const r of await this.repo.findPendingFor(req.id, now)) {
      if (publicKeyFingerprint(r.publicKey) === fingerprint) {
        return { status: 'pending', requestId: r.id, pollAfterS: POLL_AFTER_S };
      }
    }
    await this.repo.deleteStale(now, new Date(nowDate.getTime() - DECIDED_KEPT_MS).toISOString());
    if ((await this.repo.countPending(now)) >= MAX_PENDING) {
      throw new AppError('ENROLLMENT_QUEUE_FULL', 'Too many enrollment requests are waiting', {
        max: MAX_PENDING,
      });
    }
    const request = Object.assign(new EnrollmentRequestEntity(), {
      id: randomUUID(),
      agentId: req.id,
      name: req.name,
      hostname: req.hostname,
      os: req.os,
      architecture: req.architecture,
      version: req.version,
      address,
      publicKey: publicKeyPem,
      status: 'pending',
      requestedAt: now,
      expiresAt: new Date(nowDate.getTime() + PENDING_TTL_MS).toISOString(),
      decidedAt: null,
      certificate: null,
    } satisfies EnrollmentRequestEntity);
    await this.repo.saveRequest(request);
    return { status: 'pending', requestId: request.id, pollAfterS: POLL_AFTER_S };
  }

  async poll(requestId: string): Promise<EnrollmentResult> {
    const r = await this.repo.findRequest(requestId);
    if (!r || (r.status === 'pending' && Date.parse(r.expiresAt) <= Date.now())) {
      throw new AppError('ENROLLMENT_NOT_FOUND', 'No such enrollment request (or it expired)');
    }
    switch (r.status) {
      case 'pending':
        return { status: 'pending', requestId: r.id, pollAfterS: POLL_AFTER_S };
      case 'rejected':
        throw new AppError('ENROLLMENT_REJECTED', 'The enrollment request was rejected');
      case 'approved':
        return {
          status: 'approved',
          certificatePem: r.certificate ?? '',
          caCertificatePem: this.pki.caPem,
        };
    }
  }

  async listPending(): Promise<PendingEnrollment[]> {
    const rows = await this.repo.listPending(new Date().toISOString());
    return rows.map((r) => ({
      id: r.id,
      agent_id: r.agentId,
      name: r.name,
      hostname: r.hostname,
      os: r.os,
      architecture: r.architecture,
      version: r.version,
      address: r.address,
      public_key_fingerprint: publicKeyFingerprint(r.publicKey),
      requested_at: r.requestedAt,
      expires_at: r.expiresAt,
    }));
  }

  /** Approves a pending request: issues the certificate and enrolls (or re-enrolls) the agent. */
  async approve(
    requestId: string,
  ): Promise<{ request: EnrollmentRequestEntity; agent: AgentEntity }> {
    const r = await this.pendingRequest(requestId);
    const existing = await this.repo.findAgent(r.agentId);
    if (existing && holdsLiveCertificate(existing)) throw idTaken(r.agentId);
    const nowDate = new Date();
    const now = nowDate.toISOString();
    const agent = existing ?? newAgentRow(r.agentId, r.name, now);
    const issued = this.pki.issue(r.agentId, r.publicKey, nowDate);
    // Decide first: of two admins approving at once only one issues a certificate to the agent.
    if (!(await this.repo.decide(r.id, 'approved', now, issued.certPem))) {
      throw await this.decidedError(requestId);
    }
    await this.enrollRow(agent, r, r.address, issued, now);
    await this.repo.rejectOthers(r.agentId, r.id, now);
    return { request: { ...r, status: 'approved' }, agent };
  }

  async reject(requestId: string): Promise<EnrollmentRequestEntity> {
    const r = await this.pendingRequest(requestId);
    if (!(await this.repo.decide(r.id, 'rejected', new Date().toISOString(), null))) {
      throw await this.decidedError(requestId);
    }
    return { ...r, status: 'rejected' };
  }

  private async pendingRequest(requestId: string): Promise<EnrollmentRequestEntity> {
    const r = await this.repo.findRequest(requestId);
    if (!r) throw notFound('Enrollment request');
    if (r.status !== 'pending') throw await this.decidedError(requestId);
    if (Date.parse(r.expiresAt) <= Date.now()) {
      throw new AppError('ENROLLMENT_NOT_FOUND', 'The enrollment request expired');
    }
    return r;
  }

  private async decidedError(requestId: string): Promise<AppError> {
    const r = await this.repo.findRequest(requestId);
    if (!r || r.status === 'pending') {
      return new AppError('ENROLLMENT_NOT_FOUND', 'The enrollment request expired');
    }
    return new AppError('ENROLLMENT_DECIDED', `The enrollment request was already ${r.status}`, {
      status: r.status,
    });
  }

  private async issueTo(
    existing: AgentEntity,
    req: EnrollmentRequest,
    address: string,
    publicKeyPem: string,
    now: Date,
  ): Promise<string> {
    const issued = this.pki.issue(req.id, publicKeyPem, now);
    await this.enrollRow(existing, req, address, issued, now.toISOString());
    return issued.certPem;
  }

  /** Writes a newly issued certificate to the agent row and the certificate table. */
  private async enrollRow(
    agent: AgentEntity,
    info: { name: string; hostname: string; os: string; architecture: string; version: string },
    address: string | null,
    issued: { serial: string; notAfter: Date },
    now: string,
  ): Promise<void> {
    await this.repo.recordCertificate({
      serial: issued.serial,
      agentId: agent.id,
      issuedAt: now,
      notAfter: issued.notAfter.toISOString(),
      revokedAt: null,
    });
    // A re-enrolling (revoked) agent keeps its name; a token-approved one its pre-registered name.
    Object.assign(agent, {
      hostname: info.hostname,
      os: info.os,
      architecture: info.architecture,
      version: info.version,
      address,
      status: 'offline',
      certSerial: issued.serial,
      certExpiresAt: issued.notAfter.toISOString(),
      revokedAt: null,
      enrollmentTokenHash: null,
      enrollmentTokenExpiresAt: null,
    } satisfies Partial<AgentEntity>);
    await this.repo.saveAgent(agent);
  }

  private record(
    action: string,
    agentId: string | null,
    ip: string,
    status: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      action,
      actor: agentId ? { id: null, username: `agent:${agentId}` } : null,
      target: agentId,
      ip,
      outcome: status < 400 ? 'success' : 'failure',
      status,
      details,
    });
  }
}

/** The CSR's public key, or a 400 naming why the CSR was refused. */
export function csrPublicKey(csrPem: string): { publicKeyPem: string } {
  try {
    return parseCsr(csrPem);
  } catch (e) {
    if (e instanceof PkiError) {
      throw new AppError('INVALID_CSR', `Certificate request refused: ${e.message}`, {
        reason: e.code,
      });
    }
    throw e;
  }
}

const idTaken = (id: string) =>
  new AppError('AGENT_ID_TAKEN', `The agent id '${id}' is held by an enrolled agent`, { id });
