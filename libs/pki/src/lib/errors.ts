/** Why the PKI refused an input; callers map it to their own error codes. */
export type PkiErrorCode =
  | 'CSR_TOO_LARGE'
  | 'CSR_MALFORMED'
  | 'CSR_TOO_DEEP'
  | 'CSR_BAD_SIGNATURE'
  | 'CSR_UNSUPPORTED_KEY'
  | 'CSR_FORBIDDEN_EXTENSION'
  | 'CERT_MALFORMED'
  | 'CA_INCOMPLETE'
  | 'CA_KEY_LOCKED'
  | 'CA_KEY_MISMATCH';

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
