// Kept in step with package.json by the release process; read at build time, not from disk at run time.
export const TYTO_VERSION = '0.1.0';
