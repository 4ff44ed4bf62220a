import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import forge from 'node-forge';
import { PkiError } from './errors';
import { daysFrom, lf, wholeSeconds, fingerprintOf, randomSerial, signSha256 } from './forge-util';

/** The CA in memory: its certificate, its unencrypted private key and the certificate's fingerprint. */
export interface CaMaterial {
  certPem: string;
  keyPem: string;
  fingerprint: string;
}

// Back-dating covers agents whose clocks run a little behind the hub's.
export const BACKDATE_MS = 5 * 60_000;

function rsaKeyPair(bits: number): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A new self-signed CA: RSA 3072, SHA-256, `CA:true, pathlen:0`, 10 years by default. */
export function createCa(
  opts: { commonName?: string; years?: number; now?: Date } = {},
): CaMaterial {
  const now = opts.now ?? new Date();
  const keys = rsaKeyPair(3072);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = wholeSeconds(new Date(now.getTime() - BACKDATE_MS));
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(now.getUTCFullYear() + (opts.years ?? 10));
  cert.validity.notAfter = wholeSeconds(notAfter);
  const name = [{ name: 'commonName', value: opts.commonName ?? 'Tyto agent CA' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signSha256(cert, keys.privateKeyPem);
  const certPem = lf(forge.pki.certificateToPem(cert));
  return { certPem, keyPem: keys.privateKeyPem, fingerprint: fingerprintOf(certPem) };
}

/**
 * Loads `ca.crt` + `ca.key` from `dir`, or creates them when neither exists. The key file is
 * written with mode 0600 and, when a passphrase is given, encrypted (PKCS#8, AES-256-CBC); an
 * unencrypted key found with a passphrase set is rewritten encrypted. Only one of the two files
 * present is an error, never a reason to make a new CA: that would orphan every enrolled agent.
 */
export function loadOrCreateCa(dir: string, passphrase?: string): CaMaterial {
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (!haveCert && !haveKey) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = createCa();
    writeKey(keyFile, ca.keyPem, passphrase);
    writeAtomic(certFile, ca.certPem, 0o644);
    return ca;
  }
  if (!haveCert || !haveKey) {
    throw new PkiError(
      'CA_INCOMPLETE',
      `${haveCert ? keyFile : certFile} is missing; restore it from a backup or remove both files to create a new CA`,
    );
  }
  const certPem = readFileSync(certFile, 'utf8');
  const stored = readFileSync(keyFile, 'utf8');
  const encrypted = stored.includes('ENCRYPTED');
  if (encrypted && !passphrase) {
    throw new PkiError('CA_KEY_LOCKED', `${keyFile} is encrypted; set TYTO_CA_PASSPHRASE`);
  }
  let keyPem: string;
  try {
    keyPem = createPrivateKey({ key: stored, passphrase: encrypted ? passphrase : undefined })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  } catch {
    throw new PkiError('CA_KEY_LOCKED', `cannot decrypt ${keyFile}: wrong passphrase?`);
  }
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new PkiError('CA_KEY_MISMATCH', `${keyFile} is not the key of ${certFile}`);
  }
  if (passphrase && !encrypted) writeKey(keyFile, keyPem, passphrase);
  // Tighten a mode loosened by a copy or a restore; the key never stays world-readable.
  chmodSync(keyFile, 0o600);
  return { certPem, keyPem, fingerprint: fingerprintOf(certPem) };
}

function writeKey(file: string, keyPem: string, passphrase: string | undefined): void {
  const text = passphrase
    ? createPrivateKey(keyPem)
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
        .toString()
    : keyPem;
  writeAtomic(file, text, 0o600);
}

// Write then rename, so a crash never leaves half a key; the temp file is created with the
// final mode, so the key is never readable by others even for a moment.
function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode, flag: 'w' });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/**
 * A server certificate for the agent listener, issued by `ca`: RSA 2048, CN = first hostname,
 * SANs for every hostname (IP addresses as IP SANs), `extKeyUsage=serverAuth`.
 */
export function issueServerCertificate(
  ca: CaMaterial,
  o: { hostnames: string[]; days: number; now?: Date },
): { certPem: string; keyPem: string; notAfter: Date } {
  if (o.hostnames.length === 0) throw new Error('issueServerCertificate needs a hostname');
  const now = o.now ?? new Date();
  const keys = rsaKeyPair(2048);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = wholeSeconds(new Date(now.getTime() - BACKDATE_MS));
  cert.validity.notAfter = daysFrom(now, o.days);
  cert.setSubject([{ name: 'commonName', value: o.hostnames[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: o.hostnames.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(caCert) },
  ]);
  signSha256(cert, ca.keyPem);
  return {
    certPem: lf(forge.pki.certificateToPem(cert)),
    keyPem: keys.privateKeyPem,
    notAfter: cert.validity.notAfter,
  };
}

/** The CA's subject key identifier as a binary string (forge's byte format). */
export function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ski = caCert.getExtension('subjectKeyIdentifier') as
    { subjectKeyIdentifier?: string } | undefined;
  return ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}
