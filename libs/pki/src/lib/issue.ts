import { sign } from 'node:crypto';
import forge from 'node-forge';
import type { CaMaterial } from './ca';
import { BACKDATE_MS, caKeyIdentifier } from './ca';
import {
  daysFrom,
  lf,
  wholeSeconds,
  normalizeSerial,
  randomSerial,
  signSha256,
} from './forge-util';

/**
 * An agent's client certificate. Only `publicKeyPem` comes from the agent: the subject is
 * CN = agentId, `CA:false`, `keyUsage=digitalSignature,keyEncipherment`, `extKeyUsage=clientAuth`
 * only, valid from 5 minutes before `now` for `days` days.
 */
export function issueClientCertificate(
  ca: CaMaterial,
  o: { agentId: string; publicKeyPem: string; days: number; now?: Date },
): { certPem: string; serial: string; notBefore: Date; notAfter: Date } {
  const now = o.now ?? new Date();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(o.publicKeyPem);
  const serial = randomSerial();
  cert.serialNumber = serial;
  cert.validity.notBefore = wholeSeconds(new Date(now.getTime() - BACKDATE_MS));
  cert.validity.notAfter = daysFrom(now, o.days);
  cert.setSubject([{ name: 'commonName', value: o.agentId }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(caCert) },
  ]);
  signSha256(cert, ca.keyPem);
  return {
    certPem: lf(forge.pki.certificateToPem(cert)),
    serial,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

const OID_SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';

const { asn1 } = forge;

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
function time(d: Date): forge.asn1.Asn1 {
  return d.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.GENERALIZEDTIME,
        false,
        asn1.dateToGeneralizedTime(d),
      );
}

function integerFromHex(hex: string): forge.asn1.Asn1 {
  let h = normalizeSerial(hex);
  if (h.length % 2) h = `0${h}`;
  if (parseInt(h[0], 16) >= 8) h = `00${h}`; // keep it positive
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(h));
}

function seq(value: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
}

function oid(o: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
}

function octets(der: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.OCTETSTRING,
    false,
    asn1.toDer(der).getBytes(),
  );
}

/**
 * A v2 CRL signed by the CA (SHA-256 with RSA), PEM. node-forge has no CRL API, so the
 * TBSCertList of RFC 5280 §5.1 is built with forge.asn1 and signed with node:crypto. `crlNumber`
 * should grow with every CRL; the default is the issue time in seconds, which does.
 */
export function createCrl(
  ca: CaMaterial,
  revoked: { serial: string; revokedAt: Date }[],
  o: { now?: Date; nextUpdateHours: number; crlNumber?: number },
): string {
  const now = o.now ?? new Date();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const algorithm = seq([
    oid(OID_SHA256_RSA),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const crlNumber = o.crlNumber ?? Math.floor(now.getTime() / 1000);
  const extensions = seq([
    seq([oid(OID_CRL_NUMBER), octets(integerFromHex(crlNumber.toString(16)))]),
    seq([
      oid(OID_AUTHORITY_KEY_ID),
      octets(seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, caKeyIdentifier(caCert))])),
    ]),
  ]);
  const tbs: forge.asn1.Asn1[] = [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(1)), // v2
    algorithm,
    forge.pki.distinguishedNameToAsn1(caCert.subject),
    time(now),
    time(new Date(now.getTime() + o.nextUpdateHours * 3_600_000)),
  ];
  // An empty revokedCertificates must be left out, not sent as an empty SEQUENCE (§5.1.2.6).
  if (revoked.length > 0) {
    tbs.push(seq(revoked.map((r) => seq([integerFromHex(r.serial), time(r.revokedAt)]))));
  }
  tbs.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [extensions]));
  const tbsCertList = seq(tbs);
  const tbsDer = Buffer.from(asn1.toDer(tbsCertList).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, ca.keyPem);
  const certList = seq([
    tbsCertList,
    algorithm,
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.BITSTRING,
      false,
      String.fromCharCode(0) + signature.toString('binary'),
    ),
  ]);
  const der = Buffer.from(asn1.toDer(certList).getBytes(), 'binary').toString('base64');
  return `-----BEGIN X509 CRL-----\n${der.replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
}
