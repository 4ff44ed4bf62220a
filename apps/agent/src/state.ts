import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * The agent's state directory: its private key (0600), its certificate, the pinned CA, a pending
 * enrollment request and the sample buffer. A restarted agent finds its certificate here and
 * connects at once instead of enrolling again.
 */
export interface Identity {
  keyPem: string;
  certPem: string;
  caPem: string;
  notBefore: Date;
  notAfter: Date;
}

export class StateDir {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  readonly pendingKey: string;
  readonly enrollment: string;
  readonly buffer: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.key = path.join(dir, 'agent.key');
    this.cert = path.join(dir, 'agent.crt');
    this.ca = path.join(dir, 'ca.crt');
    this.pendingKey = path.join(dir, 'pending.key');
    this.enrollment = path.join(dir, 'enrollment.json');
    this.buffer = path.join(dir, 'buffer');
  }

  /** The enrolled identity, or null when there is none yet (or it is unreadable). */
  identity(): Identity | null {
    if (![this.key, this.cert, this.ca].every((f) => existsSync(f))) return null;
    const certPem = readFileSync(this.cert, 'utf8');
    const x = new X509Certificate(certPem);
    return {
      keyPem: readFileSync(this.key, 'utf8'),
      certPem,
      caPem: readFileSync(this.ca, 'utf8'),
      notBefore: new Date(x.validFrom),
      notAfter: new Date(x.validTo),
    };
  }

  /** Stores a new certificate with the key it belongs to; each file replaced atomically. */
  saveIdentity(keyPem: string, certPem: string, caPem: string): void {
    writeSecret(this.key, keyPem);
    writeAtomic(this.cert, certPem, 0o644);
    writeAtomic(this.ca, caPem, 0o644);
  }

  /** The key and request id of an enrollment waiting for approval, kept across restarts. */
  pending(): { keyPem: string; csrPem: string; requestId: string | null } | null {
    if (!existsSync(this.pendingKey) || !existsSync(this.enrollment)) return null;
    const e = JSON.parse(readFileSync(this.enrollment, 'utf8')) as {
      csr: string;
      request_id: string | null;
    };
    return {
      keyPem: readFileSync(this.pendingKey, 'utf8'),
      csrPem: e.csr,
      requestId: e.request_id,
    };
  }

  savePending(keyPem: string, csrPem: string, requestId: string | null): void {
    writeSecret(this.pendingKey, keyPem);
    writeAtomic(this.enrollment, JSON.stringify({ csr: csrPem, request_id: requestId }), 0o600);
  }

  clearPending(): void {
    rmSync(this.pendingKey, { force: true });
    rmSync(this.enrollment, { force: true });
  }
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** A key file is created 0600 from the start, never briefly readable by others. */
function writeSecret(file: string, text: string): void {
  writeAtomic(file, text, 0o600);
}
