import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { AgentCertificateEntity } from './agent-certificate.entity';
import { AgentEntity } from './agent.entity';
import { EnrollmentRequestEntity } from './enrollment-request.entity';

/** The agents module's tables: agents, enrollment requests and issued certificates. */
@Injectable()
export class AgentsRepository {
  constructor(
    @InjectRepository(AgentEntity) private readonly agents: Repository<AgentEntity>,
    @InjectRepository(EnrollmentRequestEntity)
    private readonly requests: Repository<EnrollmentRequestEntity>,
    @InjectRepository(AgentCertificateEntity)
    private readonly certs: Repository<AgentCertificateEntity>,
  ) {}

  findAgent(id: string): Promise<AgentEntity | null> {
    return this.agents.findOneBy({ id });
  }

  listAgents(): Promise<AgentEntity[]> {
    return this.agents.find({ order: { id: 'ASC' } });
  }

  listOnline(): Promise<AgentEntity[]> {
    return this.agents.findBy({ status: 'online' });
  }

  findAgentByTokenHash(hash: string): Promise<AgentEntity | null> {
    return this.agents.findOneBy({ enrollmentTokenHash: hash });
  }

  saveAgent(agent: AgentEntity): Promise<AgentEntity> {
    return this.agents.save(agent);
  }

  /** Inserts the row unless one with its id exists (replicas starting together race here). */
  async insertAgentIfMissing(agent: AgentEntity): Promise<void> {
    await this.agents.createQueryBuilder().insert().values(agent).orIgnore().execute();
  }

  async updateAgent(id: string, patch: Partial<AgentEntity>): Promise<void> {
    await this.agents.update({ id }, patch);
  }

  /** Like updateAgent, but leaves a revoked agent alone; false when it is revoked (or gone). */
  async updateUnlessRevoked(id: string, patch: Partial<AgentEntity>): Promise<boolean> {
    const result = await this.agents.update({ id, status: Not('revoked') }, patch);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Uses a one-time token: clears it on the row it belongs to, only if it is still there and
   * unexpired. True when this call consumed it (two racing enrollments: one wins).
   */
  async consumeToken(id: string, hash: string, now: string): Promise<boolean> {
    const result = await this.agents.update(
      { id, enrollmentTokenHash: hash, enrollmentTokenExpiresAt: MoreThan(now) },
      { enrollmentTokenHash: null, enrollmentTokenExpiresAt: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Last-seen times of many agents, in one transaction. */
  async touchMany(batch: readonly { id: string; at: string }[]): Promise<void> {
    await this.agents.manager.transaction(async (m) => {
      for (const { id, at } of batch) await m.update(AgentEntity, { id }, { lastSeen: at });
    });
  }

  /** Deletes the agent, its requests; its certificates are revoked, never deleted. */
  async deleteAgent(id: string, now: string): Promise<void> {
    await this.agents.manager.transaction(async (m) => {
      await m.update(
        AgentCertificateEntity,
        { agentId: id, revokedAt: IsNull() },
        { revokedAt: now },
      );
      await m.delete(EnrollmentRequestEntity, { agentId: id });
      await m.delete(AgentEntity, { id });
    });
  }

  // ---- enrollment requests ----

  saveRequest(r: EnrollmentRequestEntity): Promise<EnrollmentRequestEntity> {
    return this.requests.save(r);
  }

  findRequest(id: string): Promise<EnrollmentRequestEntity | null> {
    return this.requests.findOneBy({ id });
  }

  listPending(now: string): Promise<EnrollmentRequestEntity[]> {
    return this.requests.find({
      where: { status: 'pending', expiresAt: MoreThan(now) },
      order: { requestedAt: 'ASC', id: 'ASC' },
    });
  }

  countPending(now: string): Promise<number> {
    return this.requests.countBy({ status: 'pending', expiresAt: MoreThan(now) });
  }

  findPendingFor(agentId: string, now: string): Promise<EnrollmentRequestEntity[]> {
    return this.requests.findBy({ agentId, status: 'pending', expiresAt: MoreThan(now) });
  }

  /**
   * Decides a pending, unexpired request; false when it was already decided or expired (two
   * admins racing: one wins).
   */
  async decide(
    id: string,
    status: 'approved' | 'rejected',
    now: string,
    certificate: string | null,
  ): Promise<boolean> {
    const result = await this.requests.update(
      { id, status: 'pending', expiresAt: MoreThan(now) },
      { status, decidedAt: now, certificate },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Rejects the other pending requests for an id that has just been enrolled. */
  async rejectOthers(agentId: string, keepId: string | null, now: string): Promise<void> {
    await this.requests.update(
      { agentId, status: 'pending', ...(keepId ? { id: Not(keepId) } : {}) },
      { status: 'rejected', decidedAt: now },
    );
  }

  /**
   * Forgets pending requests that expired before `now`, and decided ones decided before
   * `decidedBefore` (kept that long so a polling agent learns its outcome).
   */
  async deleteStale(now: string, decidedBefore: string): Promise<void> {
    await this.requests.delete({ status: 'pending', expiresAt: LessThan(now) });
    await this.requests.delete({
      status: In(['approved', 'rejected']),
      decidedAt: LessThan(decidedBefore),
    });
  }

  // ---- certificates ----

  async recordCertificate(c: AgentCertificateEntity): Promise<void> {
    await this.certs.insert(c);
  }

  findCertificate(serial: string): Promise<AgentCertificateEntity | null> {
    return this.certs.findOneBy({ serial });
  }

  /** Revokes every unrevoked certificate of an agent; returns how many. */
  async revokeCertificatesOf(agentId: string, now: string): Promise<number> {
    const result = await this.certs.update({ agentId, revokedAt: IsNull() }, { revokedAt: now });
    return result.affected ?? 0;
  }

  /** What goes on the CRL: revoked certificates that have not yet expired. */
  listRevokedUnexpired(now: string): Promise<AgentCertificateEntity[]> {
    return this.certs.find({
      where: { revokedAt: Not(IsNull()), notAfter: MoreThan(now) },
      order: { revokedAt: 'ASC', serial: 'ASC' },
    });
  }
}
