import {
  AGENT_DELETED,
  AGENT_REVOKED,
  AGENT_STATUS,
  AGENTS_TLS_CHANGED,
  AgentCaResponseSchema,
  AgentListResponseSchema,
  AgentSchema,
  CreateAgentResponseSchema,
  EnrollmentDecisionResponseSchema,
  LOCAL_AGENT_ID,
  PendingEnrollmentListResponseSchema,
  type Agent,
  type AuditListResponse,
  type CreateAgentResponse,
} from '@tyto/contracts';
import { createKeyAndCsr } from '@tyto/pki';
import { EventEmitter2 } from '@nestjs/event-emitter';
import forge from 'node-forge';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import tls from 'node:tls';
import { DataSource } from 'typeorm';
import { expectError, expectJson, userWithGrants } from '../test/api';
import { createHub } from '../bootstrap';
import { loadConfig } from '../common/config';
import { createTestDatabase, DB_KINDS, startHub, type TestHub } from '../test/hub';
import { AgentsService, type EnrollmentResult } from './agents.service';

/** What an agent sends to `POST /enroll` on the listener, for `id` with a fresh key. */
function enrollment(id: string, extra: Record<string, unknown> = {}) {
  const { keyPem, csrPem } = createKeyAndCsr(id);
  return {
    keyPem,
    body: {
      id,
      name: `Host ${id}`,
      hostname: `${id}.lan`,
      os: 'linux',
      architecture: 'x64',
      version: '0.1.0',
      csr: csrPem,
      ...extra,
    },
  };
}

const approved = (r: EnrollmentResult) => {
  if (r.status !== 'approved') throw new Error(`expected approved, got ${JSON.stringify(r)}`);
  return r;
};
const pending = (r: EnrollmentResult) => {
  if (r.status !== 'pending') throw new Error(`expected pending, got ${JSON.stringify(r)}`);
  return r;
};

/** Runs a TLS handshake against a server built from the registry's material; true when authorized. */
async function handshake(
  material: { caPem: string; serverCertPem: string; serverKeyPem: string; crlPem: string },
  client: { certPem: string; keyPem: string },
): Promise<{ authorized: boolean; error?: string }> {
  const server = tls.createServer({
    key: material.serverKeyPem,
    cert: material.serverCertPem + material.caPem,
    ca: material.caPem,
    crl: material.crlPem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  const seen = new Promise<{ authorized: boolean; error?: string }>((resolve) =>
    server.once('secureConnection', (s) => {
      resolve({ authorized: s.authorized, error: s.authorizationError?.toString() });
      s.end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = tls.connect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    ca: material.caPem,
    cert: client.certPem,
    key: client.keyPem,
  });
  sock.on('error', () => undefined);
  const result = await seen;
  sock.destroy();
  await new Promise((r) => server.close(r));
  return result;
}

describe.each(DB_KINDS)('agents registry on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let agents: AgentsService;
  const events: { name: string; payload: unknown }[] = [];

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    agents = hub.app.get(AgentsService);
    const bus = hub.app.get(EventEmitter2);
    for (const name of [AGENT_REVOKED, AGENT_DELETED, AGENTS_TLS_CHANGED, AGENT_STATUS]) {
      bus.on(name, (payload: unknown) => events.push({ name, payload }));
    }
  });
  afterAll(async () => {
    await hub.close();
  });

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> =>
    hub.app.get(DataSource).query(query, params);
  const param = (i: number) => (kind === 'postgres' ? `$${i}` : '?');

  const getAgent = async (id: string): Promise<Agent> =>
    AgentSchema.strict().parse(
      await expectJson(await hub.fetch(`/api/v1/agents/${id}`, { token: admin }), 200),
    );
  const create = async (id: string, name = `Host ${id}`): Promise<CreateAgentResponse> =>
    CreateAgentResponseSchema.strict().parse(
      await expectJson(
        await hub.fetch('/api/v1/agents', { method: 'POST', token: admin, json: { id, name } }),
        201,
      ),
    );
  const post = (p: string) => hub.fetch(p, { method: 'POST', token: admin, json: {} });
  // The audit API filters by action; the target is picked out here.
  const audit = async (action: string, target: string) =>
    (
      await expectJson<AuditListResponse>(
        await hub.fetch(`/api/v1/audit?action=${action}&limit=500`, { token: admin }),
        200,
      )
    ).entries.filter((e) => e.target === target);
  const pendingList = async () =>
    PendingEnrollmentListResponseSchema.parse(
      await expectJson(await hub.fetch('/api/v1/agents/pending', { token: admin }), 200),
    ).pending;

  describe('local', () => {
    it('is a row from the first start, online, and can be neither deleted nor revoked', async () => {
      const list = AgentListResponseSchema.parse(
        await expectJson(await hub.fetch('/api/v1/agents', { token: admin }), 200),
      );
      const local = list.agents.find((a) => a.id === LOCAL_AGENT_ID);
      expect(local).toMatchObject({
        id: LOCAL_AGENT_ID,
        builtin: true,
        status: 'online',
        hostname: hostname(),
        os: process.platform,
        architecture: process.arch,
      });
      await expectError(
        await hub.fetch('/api/v1/agents/local', { method: 'DELETE', token: admin }),
        409,
        'LOCAL_AGENT_IMMUTABLE',
      );
      await expectError(await post('/api/v1/agents/local/revoke'), 409, 'LOCAL_AGENT_IMMUTABLE');
      await expectError(
        await hub.fetch('/api/v1/agents', {
          method: 'POST',
          token: admin,
          json: { id: 'local', name: 'x' },
        }),
        409,
        'LOCAL_AGENT_IMMUTABLE',
      );
      expect((await getAgent(LOCAL_AGENT_ID)).status).toBe('online');
    });

    it('gets a last_seen from its own samples', async () => {
      for (let i = 0; i < 100 && (await getAgent(LOCAL_AGENT_ID)).last_seen === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const seen = (await getAgent(LOCAL_AGENT_ID)).last_seen;
      expect(seen).not.toBeNull();
      expect(Date.now() - Date.parse(seen ?? '')).toBeLessThan(60_000);
    });
  });

  describe('the CA', () => {
    it('is created in the data dir with a 0600 key and served with its fingerprint', async () => {
      const ca = AgentCaResponseSchema.strict().parse(
        await expectJson(await hub.fetch('/api/v1/agents/ca', { token: admin }), 200),
      );
      expect(ca.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
      const der = new X509Certificate(ca.certificate).raw;
      expect(ca.fingerprint).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`);
      expect(new X509Certificate(ca.certificate).ca).toBe(true);
      const keyFile = path.join(hub.config.dataDir, 'pki', 'ca.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(
        statSync(path.join(hub.config.dataDir, 'pki', 'agent-listener.key')).mode & 0o777,
      ).toBe(0o600);
    });

    it('gives the listener a certificate for the hostname, localhost and 127.0.0.1', () => {
      const { serverCertPem, caPem } = agents.tlsMaterial();
      const cert = new X509Certificate(serverCertPem);
      expect(cert.checkIssued(new X509Certificate(caPem))).toBe(true);
      expect(cert.checkHost(hostname())).toBe(hostname());
      expect(cert.checkHost('localhost')).toBe('localhost');
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    });
  });

  describe('POST /api/v1/agents', () => {
    it('pre-registers a pending agent with a hashed one-time token and the install line', async () => {
      const created = await create('web-01', 'Web server');
      expect(created.agent).toMatchObject({ id: 'web-01', name: 'Web server', status: 'pending' });
      expect(created.enrollment_token).toMatch(/^tyto_enroll_[A-Za-z0-9_-]{43}$/);
      const ttl = Date.parse(created.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(3_500_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
      const { fingerprint } = agents.ca();
      // The port is the listener's real one (it listens on a free port in tests).
      const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(created.command).toMatch(
        new RegExp(
          `^${escape(`curl -fsSL ${hub.baseUrl}/downloads/install.sh | sudo sh -s -- --download-from ${hub.baseUrl} --hub https://127.0.0.1:`)}\\d+` +
            escape(
              ` --ca-fingerprint ${fingerprint} --token ${created.enrollment_token} --id web-01`,
            ) +
            '$',
        ),
      );
      const rows = await sql<{ enrollment_token_hash: string }>(
        `SELECT enrollment_token_hash FROM agents WHERE id = ${param(1)}`,
        ['web-01'],
      );
      expect(rows).toEqual([
        {
          enrollment_token_hash: createHash('sha256')
            .update(created.enrollment_token)
            .digest('hex'),
        },
      ]);
      const entries = await audit('agent.create', 'web-01');
      expect(entries[0]).toMatchObject({ outcome: 'success', actor_username: 'admin' });
      expect(JSON.stringify(entries)).not.toContain(created.enrollment_token);
    });

    it('refuses ids outside ^[a-z0-9][a-z0-9.-]{0,62}$ and changes nothing', async () => {
      for (const id of ['Web', '-web', '.web', 'a_b', 'a'.repeat(64), '', 'a b', 'a\u0000']) {
        await expectError(
          await hub.fetch('/api/v1/agents', {
            method: 'POST',
            token: admin,
            json: { id, name: 'x' },
          }),
          400,
          'VALIDATION_FAILED',
        );
      }
      await expectError(
        await hub.fetch('/api/v1/agents', {
          method: 'POST',
          token: admin,
          json: { id: 'ok', name: 'bad\u0007name' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      const ids = AgentListResponseSchema.parse(
        await expectJson(await hub.fetch('/api/v1/agents', { token: admin }), 200),
      ).agents.map((a) => a.id);
      expect(ids).not.toContain('ok');
      expect(ids.some((i) => i.length > 63)).toBe(false);
    });

    it('accepts a 63-character id', async () => {
      const id = `a${'b'.repeat(62)}`;
      expect((await create(id)).agent.id).toBe(id);
    });
  });

  describe('enrollment with a token', () => {
    it('approves at once, once: CN = id, clientAuth, TYTO_AGENT_CERT_DAYS; the token then fails', async () => {
      const created = await create('tok-01');
      const { body } = enrollment('tok-01', { token: created.enrollment_token });
      const result = approved(await agents.enroll(body, '127.0.0.9'));
      const cert = new X509Certificate(result.certificatePem);
      expect(cert.subject).toBe('CN=tok-01');
      expect(cert.checkIssued(new X509Certificate(result.caCertificatePem))).toBe(true);
      expect(result.caCertificatePem).toBe(agents.ca().certificate);
      const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
      expect(Math.round(days)).toBe(90);

      const agent = await getAgent('tok-01');
      expect(agent).toMatchObject({
        status: 'offline',
        hostname: 'tok-01.lan',
        os: 'linux',
        architecture: 'x64',
        version: '0.1.0',
        address: '127.0.0.9',
        certificate_serial: cert.serialNumber.toLowerCase(),
        certificate_expires_at: new Date(cert.validTo).toISOString(),
        revoked_at: null,
      });
      expect(await agents.acceptsCertificate('tok-01', cert.serialNumber)).toBe(true);

      // One-time: the same token again, even with the same body, is refused.
      await expect(
        agents.enroll(enrollment('tok-01', { token: created.enrollment_token }).body, '127.0.0.9'),
      ).rejects.toMatchObject({
        code: 'AGENT_ID_TAKEN',
      });
      const entries = await audit('agent.enroll', 'tok-01');
      expect(entries.map((e) => [e.outcome, e.status])).toEqual(
        expect.arrayContaining([
          ['success', 200],
          ['failure', 409],
        ]),
      );
    });

    it('refuses a token for another id, an unknown one and an expired one', async () => {
      const a = await create('tok-a');
      await create('tok-b');
      await expect(
        agents.enroll(enrollment('tok-b', { token: a.enrollment_token }).body, '127.0.0.1'),
      ).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
      await expect(
        agents.enroll(enrollment('tok-b', { token: 'tyto_enroll_nope' }).body, '127.0.0.1'),
      ).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
      await sql(
        `UPDATE agents SET enrollment_token_expires_at = ${param(1)} WHERE id = ${param(2)}`,
        [new Date(Date.now() - 1000).toISOString(), 'tok-a'],
      );
      await expect(
        agents.enroll(enrollment('tok-a', { token: a.enrollment_token }).body, '127.0.0.1'),
      ).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
      expect((await getAgent('tok-a')).status).toBe('pending');
    });

    it('refuses POST /api/v1/agents and enrollment for an id held by an enrolled agent', async () => {
      await expectError(
        await hub.fetch('/api/v1/agents', {
          method: 'POST',
          token: admin,
          json: { id: 'tok-01', name: 'again' },
        }),
        409,
        'AGENT_ID_TAKEN',
      );
      await expect(agents.enroll(enrollment('tok-01').body, '127.0.0.1')).rejects.toMatchObject({
        code: 'AGENT_ID_TAKEN',
      });
    });
  });

  describe('enrollment without a token', () => {
    it('waits for approval, then the poll returns the certificate', async () => {
      const { body } = enrollment('pend-01');
      const first = pending(await agents.enroll(body, '127.0.0.2'));
      expect(first.pollAfterS).toBeGreaterThan(0);
      // The same key asking again gets the same request back.
      expect(pending(await agents.enroll(body, '127.0.0.2')).requestId).toBe(first.requestId);
      expect(pending(await agents.pollEnrollment(first.requestId)).requestId).toBe(first.requestId);

      const listed = (await pendingList()).find((p) => p.id === first.requestId);
      expect(listed).toMatchObject({
        agent_id: 'pend-01',
        hostname: 'pend-01.lan',
        address: '127.0.0.2',
        public_key_fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });
      expect(Date.parse(listed?.expires_at ?? '') - Date.parse(listed?.requested_at ?? '')).toBe(
        24 * 3_600_000,
      );
      await expectError(
        await hub.fetch('/api/v1/agents/pend-01', { token: admin }),
        404,
        'NOT_FOUND',
      );

      const decided = EnrollmentDecisionResponseSchema.parse(
        await expectJson(await post(`/api/v1/agents/pending/${first.requestId}/approve`), 200),
      );
      expect(decided).toMatchObject({ agent_id: 'pend-01', status: 'approved' });
      expect(decided.agent).toMatchObject({
        id: 'pend-01',
        name: 'Host pend-01',
        status: 'offline',
      });
      const polled = approved(await agents.pollEnrollment(first.requestId));
      expect(new X509Certificate(polled.certificatePem).subject).toBe('CN=pend-01');
      expect((await pendingList()).map((p) => p.id)).not.toContain(first.requestId);

      await expectError(
        await post(`/api/v1/agents/pending/${first.requestId}/approve`),
        409,
        'ENROLLMENT_DECIDED',
      );
      const approvals = await audit('agent.approve', first.requestId);
      expect(approvals.map((e) => e.outcome).sort()).toEqual(['failure', 'success']);
      expect(approvals.find((e) => e.outcome === 'success')).toMatchObject({
        details: { agent_id: 'pend-01' },
      });
    });

    it('rejects for good: the poll says rejected and approve is refused', async () => {
      const r = pending(await agents.enroll(enrollment('rej-01').body, '127.0.0.3'));
      expect(
        await expectJson(await post(`/api/v1/agents/pending/${r.requestId}/reject`), 200),
      ).toMatchObject({ status: 'rejected', agent_id: 'rej-01', agent: null });
      await expect(agents.pollEnrollment(r.requestId)).rejects.toMatchObject({
        code: 'ENROLLMENT_REJECTED',
        status: 403,
      });
      await expectError(
        await post(`/api/v1/agents/pending/${r.requestId}/approve`),
        409,
        'ENROLLMENT_DECIDED',
      );
      await expectError(
        await hub.fetch('/api/v1/agents/rej-01', { token: admin }),
        404,
        'NOT_FOUND',
      );
      expect((await audit('agent.reject', r.requestId))[0]).toMatchObject({ outcome: 'success' });
    });

    it('drops a request after 24 h: poll and approve answer not found', async () => {
      const r = pending(await agents.enroll(enrollment('exp-01').body, '127.0.0.4'));
      await sql(
        `UPDATE agent_enrollment_requests SET expires_at = ${param(1)} WHERE id = ${param(2)}`,
        [new Date(Date.now() - 1000).toISOString(), r.requestId],
      );
      await expect(agents.pollEnrollment(r.requestId)).rejects.toMatchObject({
        code: 'ENROLLMENT_NOT_FOUND',
      });
      await expectError(
        await post(`/api/v1/agents/pending/${r.requestId}/approve`),
        404,
        'ENROLLMENT_NOT_FOUND',
      );
      expect((await pendingList()).map((p) => p.id)).not.toContain(r.requestId);
    });

    it('answers not found for an unknown request id and 400 for a malformed one', async () => {
      await expect(
        agents.pollEnrollment('00000000-0000-4000-8000-000000000000'),
      ).rejects.toMatchObject({
        code: 'ENROLLMENT_NOT_FOUND',
      });
      await expectError(
        await post('/api/v1/agents/pending/00000000-0000-4000-8000-000000000000/approve'),
        404,
        'NOT_FOUND',
      );
      await expectError(
        await post('/api/v1/agents/pending/nope/approve'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('refuses a bad body and bad CSRs with a clear code, and stays up', async () => {
      await expect(agents.enroll({ id: 'Bad' }, '127.0.0.1')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      const good = enrollment('csr-01').body;
      const der = Buffer.from(good.csr.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      der[der.length - 1] ^= 1;
      const badSig = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      const cases: [string, string][] = [
        [badSig, 'CSR_BAD_SIGNATURE'],
        ['garbage', 'CSR_MALFORMED'],
        [caRequestingCsr(), 'CSR_FORBIDDEN_EXTENSION'],
      ];
      for (const [csr, reason] of cases) {
        await expect(agents.enroll({ ...good, csr }, '127.0.0.1')).rejects.toMatchObject({
          code: 'INVALID_CSR',
          status: 400,
          details: { reason },
        });
      }
      // Over the 16 KiB cap: refused by the schema before any parsing.
      await expect(
        agents.enroll({ ...good, csr: 'A'.repeat(1024 * 1024) }, '127.0.0.1'),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await hub.fetch('/health')).status).toBe(200);
      const failures = await audit('agent.enroll', 'csr-01');
      expect(failures.filter((e) => e.outcome === 'failure').length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('status', () => {
    it('is online after the hello, offline after 3 silent intervals or a closed channel', async () => {
      const created = await create('live-01');
      approved(
        await agents.enroll(
          enrollment('live-01', { token: created.enrollment_token }).body,
          '127.0.0.5',
        ),
      );
      events.length = 0;
      await agents.markOnline('live-01', {
        version: '0.2.0',
        address: '127.0.0.6',
        hostname: 'renamed',
      });
      expect(await getAgent('live-01')).toMatchObject({
        status: 'online',
        version: '0.2.0',
        address: '127.0.0.6',
        hostname: 'renamed',
      });
      expect(events).toContainEqual({
        name: AGENT_STATUS,
        payload: { agentId: 'live-01', status: 'online' },
      });
      // The test hub samples every second: 3 intervals are 3 s.
      agents.markSeen(['live-01'], new Date(Date.now() - 4000));
      expect((await getAgent('live-01')).status).toBe('offline');
      agents.markSeen(['live-01'], new Date());
      expect((await getAgent('live-01')).status).toBe('online');
      await agents.markOffline('live-01');
      expect((await getAgent('live-01')).status).toBe('offline');
      expect(events).toContainEqual({
        name: AGENT_STATUS,
        payload: { agentId: 'live-01', status: 'offline' },
      });
    });
  });

  describe('renewal', () => {
    it('issues a new certificate; only the new serial is accepted', async () => {
      const created = await create('ren-01');
      const first = approved(
        await agents.enroll(
          enrollment('ren-01', { token: created.enrollment_token }).body,
          '127.0.0.1',
        ),
      );
      const oldSerial = new X509Certificate(first.certificatePem).serialNumber;
      const renewed = await agents.renew('ren-01', createKeyAndCsr('ren-01').csrPem);
      const cert = new X509Certificate(renewed.certificatePem);
      expect(cert.subject).toBe('CN=ren-01');
      expect(await agents.acceptsCertificate('ren-01', cert.serialNumber)).toBe(true);
      expect(await agents.acceptsCertificate('ren-01', oldSerial)).toBe(false);
      expect((await getAgent('ren-01')).certificate_serial).toBe(cert.serialNumber.toLowerCase());
      await expect(agents.renew('ren-01', 'garbage')).rejects.toMatchObject({
        code: 'INVALID_CSR',
      });
      await expect(agents.renew('nobody', createKeyAndCsr('nobody').csrPem)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });
  });

  describe('revocation and deletion', () => {
    it('revoke puts every certificate of the agent on the CRL that Node’s TLS enforces', async () => {
      const created = await create('rev-01');
      const { body, keyPem } = enrollment('rev-01', { token: created.enrollment_token });
      const result = approved(await agents.enroll(body, '127.0.0.1'));
      const client = { certPem: result.certificatePem, keyPem };
      expect(await handshake(agents.tlsMaterial(), client)).toEqual({
        authorized: true,
        error: undefined,
      });
      const serial = new X509Certificate(result.certificatePem).serialNumber.toLowerCase();

      events.length = 0;
      const revoked = AgentSchema.parse(
        await expectJson(await post('/api/v1/agents/rev-01/revoke'), 200),
      );
      expect(revoked).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
      expect(events.map((e) => e.name)).toEqual(
        expect.arrayContaining([AGENTS_TLS_CHANGED, AGENT_REVOKED, AGENT_STATUS]),
      );
      expect(events.find((e) => e.name === AGENT_REVOKED)?.payload).toEqual({
        agentId: 'rev-01',
        serial,
      });
      // The CRL event comes before agent.revoked, so a listener closing the channel already has it.
      expect(events.findIndex((e) => e.name === AGENTS_TLS_CHANGED)).toBeLessThan(
        events.findIndex((e) => e.name === AGENT_REVOKED),
      );
      expect(await agents.acceptsCertificate('rev-01', serial)).toBe(false);
      expect(await handshake(agents.tlsMaterial(), client)).toEqual({
        authorized: false,
        error: 'CERT_REVOKED',
      });
      expect(crlSerials(agents.tlsMaterial())).toContain(serial);
      expect((await getAgent('rev-01')).status).toBe('revoked');
      // Revoking twice changes nothing.
      expect(
        AgentSchema.parse(await expectJson(await post('/api/v1/agents/rev-01/revoke'), 200))
          .revoked_at,
      ).toBe(revoked.revoked_at);
      expect((await audit('agent.revoke', 'rev-01'))[0]).toMatchObject({
        outcome: 'success',
        details: { serial },
      });
    });

    it('lets a revoked id enroll again only through approval or a new token', async () => {
      const again = await create('rev-01', 'Rebuilt');
      const result = approved(
        await agents.enroll(
          enrollment('rev-01', { token: again.enrollment_token }).body,
          '127.0.0.1',
        ),
      );
      expect(await getAgent('rev-01')).toMatchObject({
        status: 'offline',
        revoked_at: null,
        name: 'Rebuilt',
      });
      expect(
        await agents.acceptsCertificate(
          'rev-01',
          new X509Certificate(result.certificatePem).serialNumber,
        ),
      ).toBe(true);
    });

    it('delete removes the agent, keeps its certificates on the CRL and says so on the bus', async () => {
      const created = await create('del-01');
      const { body, keyPem } = enrollment('del-01', { token: created.enrollment_token });
      const result = approved(await agents.enroll(body, '127.0.0.1'));
      const serial = new X509Certificate(result.certificatePem).serialNumber.toLowerCase();
      events.length = 0;
      expect(
        (await hub.fetch('/api/v1/agents/del-01', { method: 'DELETE', token: admin })).status,
      ).toBe(204);
      await expectError(
        await hub.fetch('/api/v1/agents/del-01', { token: admin }),
        404,
        'NOT_FOUND',
      );
      expect(events.map((e) => e.name)).toEqual(
        expect.arrayContaining([AGENTS_TLS_CHANGED, AGENT_DELETED]),
      );
      expect(crlSerials(agents.tlsMaterial())).toContain(serial);
      expect(
        await handshake(agents.tlsMaterial(), { certPem: result.certificatePem, keyPem }),
      ).toMatchObject({
        authorized: false,
        error: 'CERT_REVOKED',
      });
      expect(await agents.acceptsCertificate('del-01', serial)).toBe(false);
      expect((await audit('agent.delete', 'del-01'))[0]).toMatchObject({ outcome: 'success' });
      await expectError(
        await hub.fetch('/api/v1/agents/del-01', { method: 'DELETE', token: admin }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('permissions', () => {
    it('lets agents:view read and refuses it every write', async () => {
      const { token } = await userWithGrants(hub, admin, `viewer-${kind}`, ['agents:view']);
      expect((await hub.fetch('/api/v1/agents', { token })).status).toBe(200);
      expect((await hub.fetch('/api/v1/agents/ca', { token })).status).toBe(200);
      expect((await hub.fetch('/api/v1/agents/pending', { token })).status).toBe(200);
      await expectError(
        await hub.fetch('/api/v1/agents', { method: 'POST', token, json: { id: 'x1', name: 'x' } }),
        403,
        'FORBIDDEN',
      );
      await expectError(
        await hub.fetch('/api/v1/agents/tok-01/revoke', { method: 'POST', token, json: {} }),
        403,
        'FORBIDDEN',
      );
    });
  });
});

describe('agents PKI across restarts (sqlite)', () => {
  it('keeps the CA, encrypts its key with TYTO_CA_PASSPHRASE and puts TYTO_AGENT_HOSTNAMES in the listener certificate', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const env = {
        TYTO_CA_PASSPHRASE: 'a passphrase',
        TYTO_AGENT_HOSTNAMES: 'hub.example.com,10.1.2.3',
      };
      let hub = await startHub('sqlite', env, db);
      const first = hub.app.get(AgentsService).ca().fingerprint;
      const cert = new X509Certificate(hub.app.get(AgentsService).tlsMaterial().serverCertPem);
      expect(cert.subjectAltName).toBe('DNS:hub.example.com, IP Address:10.1.2.3');
      await hub.close();
      const key = path.join(db.dataDir, 'pki', 'ca.key');
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(execFileSync('head', ['-1', key]).toString()).toContain('ENCRYPTED PRIVATE KEY');

      hub = await startHub('sqlite', env, db);
      expect(hub.app.get(AgentsService).ca().fingerprint).toBe(first);
      // The install line names the host the user reached the hub by when the certificate has it.
      const token = await hub.login();
      // fetch() will not send another Host header; node:http will.
      const answer = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          `${hub.baseUrl}/api/v1/agents`,
          {
            method: 'POST',
            headers: {
              host: 'hub.example.com:8080',
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve(`${res.statusCode} ${body}`));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ id: 'h1', name: 'h1' }));
      });
      expect(answer.slice(0, 4)).toBe('201 ');
      const created = CreateAgentResponseSchema.parse(JSON.parse(answer.slice(4)));
      expect(created.command).toMatch(
        /^curl -fsSL http:\/\/hub\.example\.com:8080\/downloads\/install\.sh \| sudo sh -s -- --download-from http:\/\/hub\.example\.com:8080 --hub https:\/\/hub\.example\.com:\d+ /,
      );
      await hub.close();

      // Without the passphrase the hub refuses to start rather than making a new CA.
      const app = await createHub(
        loadConfig(
          {
            TYTO_DATA_DIR: db.dataDir,
            TYTO_AGENT_HOSTNAMES: 'hub.example.com',
            TYTO_AGENT_PORT: '0',
            TYTO_LOG_LEVEL: 'error',
            TYTO_WEB_DIR: '',
          },
          null,
        ),
      );
      try {
        await expect(app.init()).rejects.toThrow(/TYTO_CA_PASSPHRASE/);
      } finally {
        await app.close().catch(() => undefined);
      }
      expect(execFileSync('head', ['-1', key]).toString()).toContain('ENCRYPTED PRIVATE KEY');
    } finally {
      await db.drop();
    }
  });
});

/** A CSR (self-signed by its key) that asks for CA:true. */
function caRequestingCsr(): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  csr.setSubject([{ name: 'commonName', value: 'csr-01' }]);
  csr.setAttributes([
    { name: 'extensionRequest', extensions: [{ name: 'basicConstraints', cA: true }] },
  ]);
  csr.sign(
    forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    ) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  // forge writes CRLF; the enrollment schema takes LF-ended PEM.
  return forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n');
}

/** Serials (lower-case hex) on the current CRL, read by openssl. */
function crlSerials(material: { crlPem: string }): string[] {
  const out = execFileSync('openssl', ['crl', '-noout', '-text'], {
    input: material.crlPem,
  }).toString();
  return [...out.matchAll(/Serial Number: ([0-9A-Fa-f]+)/g)].map((m) => m[1].toLowerCase());
}
