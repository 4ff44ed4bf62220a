/**
 * PKI benchmark: how long parseCsr takes to accept a real CSR and to refuse each attack the
 * enrollment endpoint must survive (bad signature, CA:true, extra EKUs, 1 MB, deeply nested DER,
 * garbage), and the cost of issuing a certificate and of a CRL with many entries.
 *
 *   npx nx run pki:bench [--runs=N]
 * which runs
 *   npx esbuild tools/bench/pki-bench.ts --bundle --platform=node --target=node20 \
 *     --tsconfig=tsconfig.base.json --packages=external --outfile=tmp/bench/pki-bench.js
 *   node tmp/bench/pki-bench.js [--runs N]
 */
import { generateKeyPairSync } from 'node:crypto';
import { cpus } from 'node:os';
import forge from 'node-forge';
import {
  createCa,
  createCrl,
  createKeyAndCsr,
  issueClientCertificate,
  parseCsr,
  PkiError,
} from '@tyto/pki';

const runsArg = process.argv.find((a) => a.startsWith('--runs'));
const runs = Number(
  runsArg?.includes('=') ? runsArg.split('=')[1] : process.argv[process.argv.indexOf('--runs') + 1],
);
const RUNS = Number.isInteger(runs) && runs > 0 && runs <= 10_000 ? runs : 200;

function csrWith(extensions: object[]): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  csr.setSubject([{ name: 'commonName', value: 'bench' }]);
  csr.setAttributes([{ name: 'extensionRequest', extensions }]);
  csr.sign(
    forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    ) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  return forge.pki.certificationRequestToPem(csr);
}

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE REQUEST-----\n`;

function nested(levels: number): Buffer {
  let der = Buffer.alloc(0);
  for (let i = 0; i < levels; i++) {
    const n = der.length;
    const h =
      n < 0x80
        ? Buffer.from([0x30, n])
        : n < 0x100
          ? Buffer.from([0x30, 0x81, n])
          : Buffer.from([0x30, 0x82, n >> 8, n & 0xff]);
    der = Buffer.concat([h, der]);
  }
  return der;
}

const valid = createKeyAndCsr('bench').csrPem;
const badSig = Buffer.from(valid.replace(/-----[^-]+-----|\s/g, ''), 'base64');
badSig[badSig.length - 1] ^= 1;

const cases: [string, string][] = [
  ['valid CSR (accepted)', valid],
  ['bad signature', pem(badSig)],
  ['CA:true requested', csrWith([{ name: 'basicConstraints', cA: true }])],
  ['extra EKUs', csrWith([{ name: 'extKeyUsage', clientAuth: true, serverAuth: true }])],
  ['1 MB CSR', valid.replace('-----END', `${'A'.repeat(1024 * 1024)}\n-----END`)],
  ['2,000-deep DER', pem(nested(2000))],
  ['garbage', 'x'.repeat(10_000)],
];

function time(fn: () => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

const fmt = (ms: number[]) =>
  `median ${ms[Math.floor(ms.length / 2)].toFixed(2)} ms, p99 ${ms[Math.floor(ms.length * 0.99)].toFixed(2)} ms, max ${ms[ms.length - 1].toFixed(2)} ms`;

console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), ${RUNS} runs each`,
);
for (const [name, text] of cases) {
  let outcome = 'accepted';
  const ms = time(() => {
    try {
      parseCsr(text);
    } catch (e) {
      outcome = e instanceof PkiError ? e.code : `unexpected ${(e as Error).message}`;
    }
  });
  console.log(`parseCsr ${name.padEnd(22)} ${outcome.padEnd(24)} ${fmt(ms)}`);
}

const ca = createCa();
const { publicKeyPem } = parseCsr(valid);
console.log(
  `issueClientCertificate          ${fmt(time(() => issueClientCertificate(ca, { agentId: 'bench', publicKeyPem, days: 90 })))}`,
);
const revoked = Array.from({ length: 1000 }, (_, i) => ({
  serial: (0x40_00_00_00 + i).toString(16).padStart(32, '4'),
  revokedAt: new Date(),
}));
const crlRuns = time(() => createCrl(ca, revoked, { nextUpdateHours: 24 }));
console.log(
  `createCrl, 1,000 entries        ${fmt(crlRuns)}, ${createCrl(ca, revoked, { nextUpdateHours: 24 }).length} bytes PEM`,
);
