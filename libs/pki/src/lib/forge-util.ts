import { constants, createHash, privateEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors';

// DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A forge-compatible signing key backed by node:crypto. forge's own RSA private operation is pure
 * JavaScript (tens of milliseconds for a 3072-bit key); OpenSSL does it natively.
 */
export function nativeSigner(keyPem: string): { sign(md: forge.md.MessageDigest): string } {
  return {
    sign(md) {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const sig = privateEncrypt(
        { key: keyPem, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      );
      return sig.toString('binary');
    },
  };
}

/** Signs a forge certificate or CSR with SHA-256 and the given PEM private key. */
export function signSha256(
  obj: forge.pki.Certificate | forge.pki.CertificateSigningRequest,
  keyPem: string,
): void {
  // forge's typings say the key must be a forge PrivateKey; it only ever calls `.sign(md)`.
  obj.sign(nativeSigner(keyPem) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

/**
 * A random 128-bit serial as lower-case hex. The first byte is kept in 0x40–0x7f so the DER
 * INTEGER is positive and never gains or loses a leading zero byte: the hex form Node's
 * `getPeerCertificate().serialNumber` reports is then the same string, upper-cased.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | (bytes[0] & 0x3f);
  return bytes.toString('hex');
}

/** Serials compare case-insensitively and without leading zeros (Node drops none; OpenSSL may). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=[0-9a-f])/, '');
}

/** `sha256:<64 lower-case hex>` over the certificate's DER. */
export function fingerprintOf(certPem: string): string {
  let raw: Buffer;
  try {
    raw = new X509Certificate(certPem).raw;
  } catch {
    throw new PkiError('CERT_MALFORMED', 'not a PEM certificate');
  }
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** forge writes PEM with CRLF line ends; Tyto's PEM text (and its request schemas) use LF. */
export const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');

export function daysFrom(date: Date, days: number): Date {
  return wholeSeconds(new Date(date.getTime() + days * 86_400_000));
}

/** Certificates carry whole seconds; the dates callers store must match what was signed. */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}
