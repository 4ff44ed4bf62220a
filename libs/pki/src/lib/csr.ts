import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors';
import { lf, signSha256 } from './forge-util';

/** Default cap on a CSR's PEM text: a 4096-bit RSA CSR with a few extensions is under 2 KiB. */
export const CSR_MAX_BYTES = 16 * 1024;
// A well-formed CSR nests 8 levels deep; anything far deeper is an attack on the parser.
const CSR_MAX_DEPTH = 16;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;

const PEM_RE =
  /^\s*-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END (?:NEW )?CERTIFICATE REQUEST-----\s*$/;

type ParsedExtension = { name?: string; id?: string } & Record<string, unknown>;
const EKU_FIELDS = new Set(['id', 'name', 'critical', 'value']);

/**
 * Checks a PKCS#10 request and returns its public key. Refuses (with {@link PkiError}) oversize
 * text, anything that is not exactly one PEM CSR, DER nested deeper than a real CSR, keys other
 * than RSA 2048–8192 with a small public exponent (a huge exponent makes verification slow), a
 * signature that does not verify, and requests for `CA:true`, certificate or CRL signing, or any
 * extended key usage but clientAuth. Nothing else of the request is used by the issuer.
 */
export function parseCsr(
  pem: string,
  o: { maxBytes?: number } = {},
): { publicKeyPem: string; commonName?: string } {
  const maxBytes = o.maxBytes ?? CSR_MAX_BYTES;
  if (typeof pem !== 'string') throw new PkiError('CSR_MALFORMED', 'the CSR is not text');
  // Check the length before any parsing, so a huge body costs nothing but this comparison.
  if (pem.length > maxBytes || Buffer.byteLength(pem, 'utf8') > maxBytes) {
    throw new PkiError('CSR_TOO_LARGE', `the CSR is larger than ${maxBytes} bytes`);
  }
  const m = PEM_RE.exec(pem);
  if (!m) throw new PkiError('CSR_MALFORMED', 'not a PEM "CERTIFICATE REQUEST"');
  const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('binary');

  let csr: forge.pki.CertificateSigningRequest;
  try {
    // forge's typings omit the options argument.
    const fromDer = forge.asn1.fromDer as unknown as (
      bytes: string,
      options: { strict: boolean; parseAllBytes: boolean; maxDepth: number },
    ) => forge.asn1.Asn1;
    const asn = fromDer(der, { strict: true, parseAllBytes: true, maxDepth: CSR_MAX_DEPTH });
    csr = forge.pki.certificationRequestFromAsn1(asn, true);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/max depth/i.test(msg)) throw new PkiError('CSR_TOO_DEEP', 'the CSR is nested too deeply');
    if (/not RSA/i.test(msg)) throw new PkiError('CSR_UNSUPPORTED_KEY', 'the CSR key is not RSA');
    throw new PkiError('CSR_MALFORMED', 'the CSR is not a valid PKCS#10 request');
  }

  const key = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!key) throw new PkiError('CSR_UNSUPPORTED_KEY', 'the CSR has no usable public key');
  const bits = key.n.bitLength();
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS || key.e.bitLength() > 32) {
    throw new PkiError(
      'CSR_UNSUPPORTED_KEY',
      `the CSR key must be RSA ${MIN_RSA_BITS}–${MAX_RSA_BITS} bits with a standard exponent`,
    );
  }

  let verified = false;
  try {
    verified = csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw new PkiError('CSR_BAD_SIGNATURE', 'the CSR signature does not verify');

  checkRequestedExtensions(csr);
  const cn = csr.subject.getField('CN') as { value?: unknown } | null;
  return {
    publicKeyPem: lf(forge.pki.publicKeyToPem(key)),
    commonName: typeof cn?.value === 'string' ? cn.value : undefined,
  };
}

// The issuer ignores requested extensions anyway; refusing the dangerous ones tells an operator
// that something asked for more than an agent certificate.
function checkRequestedExtensions(csr: forge.pki.CertificateSigningRequest): void {
  const attr = csr.getAttribute({ name: 'extensionRequest' }) as {
    extensions?: ParsedExtension[];
  } | null;
  for (const ext of attr?.extensions ?? []) {
    if (ext.name === 'basicConstraints' && ext['cA'] === true) {
      throw new PkiError('CSR_FORBIDDEN_EXTENSION', 'the CSR requests CA:true');
    }
    if (ext.name === 'keyUsage' && (ext['keyCertSign'] === true || ext['cRLSign'] === true)) {
      throw new PkiError('CSR_FORBIDDEN_EXTENSION', 'the CSR requests certificate or CRL signing');
    }
    if (ext.name === 'extKeyUsage') {
      const extra = Object.keys(ext).filter(
        (k) => !EKU_FIELDS.has(k) && k !== 'clientAuth' && ext[k] === true,
      );
      if (extra.length > 0) {
        throw new PkiError(
          'CSR_FORBIDDEN_EXTENSION',
          `the CSR requests extended key usages beyond clientAuth: ${extra.join(', ')}`,
        );
      }
    }
  }
}

/** A new RSA 2048 key and a SHA-256 CSR with CN = agentId (what the agent sends to enroll). */
export function createKeyAndCsr(agentId: string): { keyPem: string; csrPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  csr.setSubject([{ name: 'commonName', value: agentId }]);
  signSha256(csr, keyPem);
  return { keyPem, csrPem: lf(forge.pki.certificationRequestToPem(csr)) };
}
