import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import {
  createCa,
  createCrl,
  createKeyAndCsr,
  fingerprintOf,
  issueClientCertificate,
  issueServerCertificate,
  loadOrCreateCa,
  normalizeSerial,
  parseCsr,
  PkiError,
} from '../index';
import type { CaMaterial, PkiErrorCode } from '../index';
import { signSha256 } from './forge-util';

// One CA for the whole file: RSA 3072 key generation is the slow part.
let ca: CaMaterial;
let otherCa: CaMaterial;
let tmp: string;
beforeAll(() => {
  ca = createCa({ commonName: 'Test CA' });
  otherCa = createCa({ commonName: 'Other CA' });
  tmp = mkdtempSync(path.join(tmpdir(), 'tyto-pki-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** A CSR for `cn` with the given requested extensions, signed by its own key. */
function csrWith(cn: string, extensions: object[] = [], bits = 2048): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  csr.setSubject([{ name: 'commonName', value: cn }]);
  if (extensions.length) csr.setAttributes([{ name: 'extensionRequest', extensions }]);
  signSha256(csr, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return forge.pki.certificationRequestToPem(csr);
}

function refusal(fn: () => unknown): PkiErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof PkiError) return e.code;
    throw e;
  }
  throw new Error('expected a PkiError');
}

function ext(cert: X509Certificate): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], {
    input: cert.toString(),
  }).toString();
}

describe('createCa', () => {
  it('makes a 10-year RSA 3072 CA with CA:true and a sha256 fingerprint of its DER', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(createPublicKey(ca.certPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
    const years =
      (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) /
      (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(10);
    expect(cert.subject).toBe('CN=Test CA');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(ca.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ca.fingerprint).toBe(`sha256:${cert.fingerprint256.replace(/:/g, '').toLowerCase()}`);
    expect(fingerprintOf(ca.certPem)).toBe(ca.fingerprint);
  });
});

describe('loadOrCreateCa', () => {
  it('creates ca.crt and a 0600 ca.key on first call and loads the same CA afterwards', () => {
    const dir = path.join(tmp, 'plain');
    const first = loadOrCreateCa(dir);
    expect(statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'ca.key'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    const again = loadOrCreateCa(dir);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.keyPem).toBe(first.keyPem);
  });

  it('encrypts the key with a passphrase and refuses to load it without the right one', () => {
    const dir = path.join(tmp, 'encrypted');
    const first = loadOrCreateCa(dir, 'correct horse');
    const stored = readFileSync(path.join(dir, 'ca.key'), 'utf8');
    expect(stored).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(refusal(() => loadOrCreateCa(dir))).toBe('CA_KEY_LOCKED');
    expect(refusal(() => loadOrCreateCa(dir, 'wrong'))).toBe('CA_KEY_LOCKED');
    expect(loadOrCreateCa(dir, 'correct horse').fingerprint).toBe(first.fingerprint);
  });

  it('rewrites an unencrypted key encrypted once a passphrase is set', () => {
    const dir = path.join(tmp, 'migrate');
    const first = loadOrCreateCa(dir);
    expect(loadOrCreateCa(dir, 'now secret').fingerprint).toBe(first.fingerprint);
    expect(readFileSync(path.join(dir, 'ca.key'), 'utf8')).toContain('ENCRYPTED');
    expect(refusal(() => loadOrCreateCa(dir))).toBe('CA_KEY_LOCKED');
  });

  it('refuses half a CA and a key that does not match the certificate, and replaces neither', () => {
    const dir = path.join(tmp, 'broken');
    loadOrCreateCa(dir);
    const certPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    rmSync(path.join(dir, 'ca.key'));
    expect(refusal(() => loadOrCreateCa(dir))).toBe('CA_INCOMPLETE');
    expect(existsSync(path.join(dir, 'ca.key'))).toBe(false);
    writeFileSync(path.join(dir, 'ca.key'), otherCa.keyPem, { mode: 0o600 });
    expect(refusal(() => loadOrCreateCa(dir))).toBe('CA_KEY_MISMATCH');
    expect(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe(certPem);
  });
});

describe('issueServerCertificate', () => {
  it('issues a serverAuth certificate with DNS and IP SANs chaining to the CA', () => {
    const server = issueServerCertificate(ca, {
      hostnames: ['hub.example', 'localhost', '127.0.0.1'],
      days: 30,
    });
    const cert = new X509Certificate(server.certPem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkHost('hub.example')).toBe('hub.example');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(ext(cert)).toMatch(/TLS Web Server Authentication/);
    expect(cert.checkPrivateKey(require('node:crypto').createPrivateKey(server.keyPem))).toBe(true);
  });
});

describe('parseCsr', () => {
  it('returns the public key and CN of a well-formed CSR', () => {
    const { keyPem, csrPem } = createKeyAndCsr('web-01');
    // LF line ends, as the enrollment schema (which refuses CR) wants.
    expect(csrPem).not.toContain('\r');
    const parsed = parseCsr(csrPem);
    expect(parsed.commonName).toBe('web-01');
    expect(createPublicKey(parsed.publicKeyPem).export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(keyPem).export({ type: 'spki', format: 'der' }),
    );
  });

  it('refuses a CSR whose signature does not verify', () => {
    const der = pemBody(createKeyAndCsr('web-01').csrPem);
    der[der.length - 1] ^= 0x01; // last byte of the signature
    expect(refusal(() => parseCsr(toPem('CERTIFICATE REQUEST', der)))).toBe('CSR_BAD_SIGNATURE');
  });

  it('refuses a CSR signed by a key other than its own', () => {
    // Subject and key of one request, signature of another: the signature is well-formed but wrong.
    const a = forge.pki.certificationRequestFromPem(createKeyAndCsr('a').csrPem);
    const b = forge.pki.certificationRequestFromPem(createKeyAndCsr('a').csrPem);
    a.signature = b.signature;
    expect(refusal(() => parseCsr(forge.pki.certificationRequestToPem(a)))).toBe(
      'CSR_BAD_SIGNATURE',
    );
  });

  it('refuses a CSR asking for CA:true', () => {
    const pem = csrWith('evil', [{ name: 'basicConstraints', cA: true }]);
    expect(refusal(() => parseCsr(pem))).toBe('CSR_FORBIDDEN_EXTENSION');
  });

  it('refuses a CSR asking for certificate signing', () => {
    const pem = csrWith('evil', [{ name: 'keyUsage', keyCertSign: true, digitalSignature: true }]);
    expect(refusal(() => parseCsr(pem))).toBe('CSR_FORBIDDEN_EXTENSION');
  });

  it('refuses a CSR asking for extended key usages beyond clientAuth', () => {
    const serverAuth = csrWith('evil', [
      { name: 'extKeyUsage', clientAuth: true, serverAuth: true },
    ]);
    expect(refusal(() => parseCsr(serverAuth))).toBe('CSR_FORBIDDEN_EXTENSION');
    const codeSigning = csrWith('evil', [{ name: 'extKeyUsage', codeSigning: true }]);
    expect(refusal(() => parseCsr(codeSigning))).toBe('CSR_FORBIDDEN_EXTENSION');
    // clientAuth alone is what an agent certificate is anyway.
    expect(parseCsr(csrWith('ok', [{ name: 'extKeyUsage', clientAuth: true }])).commonName).toBe(
      'ok',
    );
  });

  it('refuses a 1 MB CSR before parsing it', () => {
    const valid = createKeyAndCsr('web-01').csrPem;
    const huge = valid.replace('-----END', `${'A'.repeat(1024 * 1024)}\n-----END`);
    expect(refusal(() => parseCsr(huge))).toBe('CSR_TOO_LARGE');
    expect(refusal(() => parseCsr(valid, { maxBytes: 100 }))).toBe('CSR_TOO_LARGE');
  });

  it('refuses deeply nested DER without exhausting the stack', () => {
    // 2,000 nested SEQUENCEs in 6 KiB: under the size cap, far over any real CSR's depth.
    let der = Buffer.alloc(0);
    for (let i = 0; i < 2000; i++) {
      const len = der.length;
      const header =
        len < 0x80
          ? Buffer.from([0x30, len])
          : len < 0x100
            ? Buffer.from([0x30, 0x81, len])
            : Buffer.from([0x30, 0x82, len >> 8, len & 0xff]);
      der = Buffer.concat([header, der]);
    }
    expect(der.length).toBeLessThan(16 * 1024);
    expect(refusal(() => parseCsr(toPem('CERTIFICATE REQUEST', der)))).toBe('CSR_TOO_DEEP');
  });

  it('refuses garbage, other PEM types, trailing bytes and several CSRs in one', () => {
    const valid = createKeyAndCsr('web-01').csrPem;
    const cases = [
      '',
      'hello',
      '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n',
      toPem('CERTIFICATE REQUEST', Buffer.from('garbage that is not DER')),
      toPem('CERTIFICATE REQUEST', Buffer.concat([pemBody(valid), Buffer.from([0, 0])])),
      ca.certPem,
      valid + valid,
      toPem('CERTIFICATE REQUEST', pemBody(ca.certPem)), // a certificate's DER under a CSR label
    ];
    for (const pem of cases)
      expect([pem.slice(0, 40), refusal(() => parseCsr(pem))]).toEqual([
        pem.slice(0, 40),
        'CSR_MALFORMED',
      ]);
    expect(refusal(() => parseCsr(42 as unknown as string))).toBe('CSR_MALFORMED');
  });

  it('refuses RSA keys under 2048 bits and keys that are not RSA', () => {
    expect(refusal(() => parseCsr(csrWith('small', [], 1024)))).toBe('CSR_UNSUPPORTED_KEY');
    const ec = execFileSync('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      '/CN=ec',
      '-batch',
    ]).toString();
    expect(refusal(() => parseCsr(ec))).toBe('CSR_UNSUPPORTED_KEY');
  });
});

describe('issueClientCertificate', () => {
  it('uses only the public key: CN = agent id, CA:false, clientAuth only, back-dated 5 minutes', () => {
    // The request asks for another name and a SAN; the issued certificate carries neither.
    const pem = csrWith('someone-else', [
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'hub.example' }] },
      { name: 'extKeyUsage', clientAuth: true },
    ]);
    const now = new Date('2026-06-01T12:00:00Z');
    const issued = issueClientCertificate(ca, {
      agentId: 'web-01',
      publicKeyPem: parseCsr(pem).publicKeyPem,
      days: 90,
      now,
    });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=web-01');
    expect(cert.issuer).toBe('CN=Test CA');
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(issued.notBefore.toISOString()).toBe('2026-06-01T11:55:00.000Z');
    expect(issued.notAfter.toISOString()).toBe('2026-08-30T12:00:00.000Z');
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-06-01T11:55:00.000Z');
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serial);
    expect(issued.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    const text = ext(cert);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Client Authentication\s*\n/);
    expect(text).toMatch(/CA:FALSE/);
  });

  it('gives every certificate a different serial', () => {
    const { publicKeyPem } = parseCsr(createKeyAndCsr('a').csrPem);
    const serials = new Set(
      Array.from(
        { length: 20 },
        () => issueClientCertificate(ca, { agentId: 'a', publicKeyPem, days: 1 }).serial,
      ),
    );
    expect(serials.size).toBe(20);
  });
});

describe('normalizeSerial', () => {
  it('compares serials case-insensitively and without leading zero bytes', () => {
    expect(normalizeSerial('00ABCD')).toBe('abcd');
    expect(normalizeSerial('7F01')).toBe('7f01');
  });
});

describe('createCrl', () => {
  /** A TLS server requiring client certificates from `ca`, checked against `crl`. */
  async function handshake(
    client: { certPem: string; keyPem: string },
    crl: string | undefined,
  ): Promise<{ authorized: boolean; error?: string }> {
    const server = issueServerCertificate(ca, { hostnames: ['localhost'], days: 1 });
    const srv = tls.createServer({
      key: server.keyPem,
      cert: server.certPem,
      ca: ca.certPem,
      crl,
      requestCert: true,
      rejectUnauthorized: false,
    });
    const seen = new Promise<{ authorized: boolean; error?: string }>((resolve) =>
      srv.once('secureConnection', (s) => {
        resolve({ authorized: s.authorized, error: s.authorizationError?.toString() });
        s.end();
      }),
    );
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const sock = tls.connect({
      port: (srv.address() as AddressInfo).port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: ca.certPem,
      cert: client.certPem,
      key: client.keyPem,
    });
    sock.on('error', () => undefined);
    const result = await seen;
    sock.destroy();
    await new Promise((r) => srv.close(r));
    return result;
  }

  function client(agentId: string): { certPem: string; keyPem: string; serial: string } {
    const { keyPem, csrPem } = createKeyAndCsr(agentId);
    const issued = issueClientCertificate(ca, {
      agentId,
      publicKeyPem: parseCsr(csrPem).publicKeyPem,
      days: 1,
    });
    return { ...issued, keyPem };
  }

  it('makes Node’s TLS refuse a revoked client certificate and accept the others', async () => {
    const good = client('good');
    const revoked = client('revoked');
    const crl = createCrl(ca, [{ serial: revoked.serial, revokedAt: new Date() }], {
      nextUpdateHours: 24,
    });
    expect(await handshake(good, crl)).toEqual({ authorized: true, error: undefined });
    expect(await handshake(revoked, crl)).toEqual({ authorized: false, error: 'CERT_REVOKED' });
    // The same certificate without the CRL: the refusal came from the list, not the certificate.
    expect((await handshake(revoked, undefined)).authorized).toBe(true);
  });

  it('accepts an empty list, and a list with upper-case or zero-padded serials', async () => {
    const c = client('padded');
    expect((await handshake(c, createCrl(ca, [], { nextUpdateHours: 1 }))).authorized).toBe(true);
    const crl = createCrl(ca, [{ serial: `00${c.serial.toUpperCase()}`, revokedAt: new Date() }], {
      nextUpdateHours: 1,
    });
    expect((await handshake(c, crl)).error).toBe('CERT_REVOKED');
  });

  it('is a valid v2 CRL signed by the CA, per openssl', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const serial = client('x').serial;
    const crl = createCrl(ca, [{ serial, revokedAt: now }], {
      now,
      nextUpdateHours: 48,
      crlNumber: 7,
    });
    const caFile = path.join(tmp, 'ca-for-crl.pem');
    writeFileSync(caFile, ca.certPem);
    const out = execFileSync('openssl', ['crl', '-noout', '-text', '-verify', '-CAfile', caFile], {
      input: crl,
      stdio: ['pipe', 'pipe', 'pipe'],
    }).toString();
    expect(out).toMatch(/Version 2/);
    expect(out).toMatch(/Issuer: CN\s*=\s*Test CA/);
    expect(out).toMatch(/Last Update: Jun\s+1 12:00:00 2026 GMT/);
    expect(out).toMatch(/Next Update: Jun\s+3 12:00:00 2026 GMT/);
    expect(out).toMatch(/X509v3 CRL Number:\s*\n\s*7/);
    expect(out.toLowerCase()).toContain(`serial number: ${serial}`);
    // A CRL signed by another CA fails openssl's verification.
    const foreign = createCrl(otherCa, [], { nextUpdateHours: 1 });
    expect(() =>
      execFileSync('openssl', ['crl', '-noout', '-verify', '-CAfile', caFile], {
        input: foreign,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    ).toThrow();
  });
});
