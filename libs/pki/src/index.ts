export { PkiError } from './lib/errors';
export type { PkiErrorCode } from './lib/errors';
export { createCa, issueServerCertificate, loadOrCreateCa } from './lib/ca';
export type { CaMaterial } from './lib/ca';
export { createKeyAndCsr, CSR_MAX_BYTES, parseCsr } from './lib/csr';
export { createCrl, issueClientCertificate } from './lib/issue';
export { fingerprintOf, normalizeSerial } from './lib/forge-util';
