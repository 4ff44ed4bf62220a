import { createHash, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { loadPki } from './pki';
import type { StateDir } from './state';

/** The hub presented a CA whose fingerprint is not the pinned one: never talk to it. */
export class FingerprintMismatch extends Error {}
/** The hub said no for good (rejected, id taken, bad request): retrying will not help. */
export class EnrollmentRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface HttpReply {
  status: number;
  body: unknown;
}

/** sha256 over the certificate's DER, as `sha256:<hex>`. */
export function fingerprintOfPem(pem: string): string {
  return `sha256:${createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')}`;
}

interface TlsTarget {
  hub: string;
  /** Trust only this CA; null for the one unauthenticated fetch of the CA itself. */
  caPem: string | null;
  key?: string;
  cert?: string;
}

/** One HTTPS request to the hub's agent listener, JSON in and out. */
export function hubRequest(
  t: TlsTarget,
  method: string,
  pathname: string,
  json?: unknown,
  timeoutMs = 15_000,
): Promise<HttpReply & { raw: string; peer: Buffer | null }> {
  const url = new URL(pathname, t.hub);
  const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: t.caPem ?? undefined,
        // Before the CA is known nothing can be verified: the fingerprint check below is the trust.
        rejectUnauthorized: t.caPem !== null,
        key: t.key,
        cert: t.cert,
        timeout: timeoutMs,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': String(body.length) }
          : {},
        agent: false,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate?.()?.raw ?? null;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 1024 * 1024) req.destroy(new Error('reply too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = raw;
          try {
            parsed = JSON.parse(raw);
          } catch {
            // Not JSON (the CA PEM): the caller reads `raw`.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, raw, peer });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Fetches the hub's CA and checks it against the pinned fingerprint, and that the certificate
 * the listener itself presented was issued by that CA. Throws FingerprintMismatch otherwise.
 */
export async function fetchPinnedCa(hub: string, fingerprint: string): Promise<string> {
  const res = await hubRequest({ hub, caPem: null }, 'GET', '/ca');
  if (res.status !== 200) throw new Error(`GET ${hub}/ca answered ${res.status}`);
  const caPem = res.raw;
  let actual: string;
  try {
    actual = fingerprintOfPem(caPem);
  } catch {
    throw new FingerprintMismatch(`${hub}/ca did not return a certificate`);
  }
  if (actual !== fingerprint) {
    throw new FingerprintMismatch(
      `the hub's CA fingerprint is ${actual}, expected ${fingerprint}: refusing to talk to this hub`,
    );
  }
  const ca = new X509Certificate(caPem);
  const server = res.peer ? new X509Certificate(res.peer) : null;
  if (!server || !server.checkIssued(ca) || !server.verify(ca.publicKey)) {
    throw new FingerprintMismatch(
      `${hub} presented a server certificate not issued by the pinned CA`,
    );
  }
  return caPem;
}

export interface EnrollInfo {
  id: string;
  name: string;
  hostname: string;
  os: string;
  architecture: string;
  version: string;
  token: string | null;
}

type EnrollReply =
  | { status: 'approved'; certificate: string; ca_certificate: string }
  | { status: 'pending'; request_id: string; poll_after_s: number };

/**
 * Enrolls until the hub hands out a certificate, polling while the request is pending. The key
 * and request id are kept in the state dir, so a restart resumes polling the same request.
 */
export async function enroll(
  state: StateDir,
  hub: string,
  caPem: string,
  info: EnrollInfo,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let pending = state.pending();
  for (;;) {
    if (!pending) {
      const { keyPem, csrPem } = (await loadPki()).createKeyAndCsr(info.id);
      state.savePending(keyPem, csrPem, null);
      pending = { keyPem, csrPem, requestId: null };
    }
    const res = pending.requestId
      ? await hubRequest({ hub, caPem }, 'GET', `/enroll/${encodeURIComponent(pending.requestId)}`)
      : await hubRequest({ hub, caPem }, 'POST', '/enroll', {
          id: info.id,
          name: info.name,
          hostname: info.hostname,
          os: info.os,
          architecture: info.architecture,
          version: info.version,
          csr: pending.csrPem,
          ...(info.token ? { token: info.token } : {}),
        });
    const body = res.body as Partial<EnrollReply> & { code?: string; error?: string };
    if (res.status === 200 && body.status === 'approved') {
      const reply = body as Extract<EnrollReply, { status: 'approved' }>;
      state.saveIdentity(pending.keyPem, reply.certificate, reply.ca_certificate ?? caPem);
      state.clearPending();
      log('enrolled: certificate received');
      return;
    }
    if (res.status === 202 && body.status === 'pending') {
      const reply = body as Extract<EnrollReply, { status: 'pending' }>;
      if (pending.requestId !== reply.request_id) {
        state.savePending(pending.keyPem, pending.csrPem, reply.request_id);
        pending = { ...pending, requestId: reply.request_id };
        log(`enrollment pending approval (request ${reply.request_id})`);
      }
      await sleep(Math.min(Math.max(reply.poll_after_s ?? 10, 1), 300) * 1000);
      continue;
    }
    if (res.status === 404 && pending.requestId) {
      // The request expired (24 h) or was dropped: ask again with a fresh key.
      log('enrollment request expired: asking again');
      state.clearPending();
      pending = null;
      continue;
    }
    if (res.status === 429) {
      const retry = Number(
        (body as { details?: { retry_after_s?: number } }).details?.retry_after_s,
      );
      await sleep((Number.isFinite(retry) && retry > 0 ? retry : 30) * 1000);
      continue;
    }
    if (res.status >= 500) throw new Error(`enrollment: hub answered ${res.status}`);
    const code = body.code ?? `HTTP_${res.status}`;
    if (code === 'ENROLLMENT_REJECTED') state.clearPending();
    throw new EnrollmentRefused(`enrollment refused: ${body.error ?? res.raw} (${code})`, code);
  }
}
