import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  writeFileSync,
} from 'node:fs';

/** The data directory: the hub's user only (it holds the database and, later, key files). */
export const DATA_DIR_MODE = 0o700;
/** The SQLite database, its WAL and SHM files, and key files. */
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps for a database in WAL mode. */
export const sqliteFiles = (database: string): string[] => [
  database,
  `${database}-wal`,
  `${database}-shm`,
];

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Gives `target` exactly `mode`. The mode passed to mkdir/open is filtered by the process umask,
 * so it is set again with chmod, which is not. Returns the previous mode when it was looser.
 */
function restrict(target: string, mode: number): number | null {
  const before = statSync(target).mode & 0o777;
  if (before !== mode) chmodSync(target, mode);
  return (before & ~mode) !== 0 ? before : null;
}

/**
 * Creates the data directory as 0700, or tightens an existing one that others may read or
 * enter, with one warning line: the database in it holds password hashes and session hashes.
 */
export function ensureDataDir(dir: string, warn: (message: string) => void): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    chmodSync(dir, DATA_DIR_MODE);
    return;
  }
  const before = statSync(dir).mode & 0o777;
  try {
    const looser = restrict(dir, DATA_DIR_MODE);
    if (looser !== null) {
      warn(`data directory ${dir} was ${octal(looser)}; tightened to ${octal(DATA_DIR_MODE)}`);
    }
  } catch (e) {
    // Not the owner (a volume mounted from elsewhere): say so rather than refuse to start.
    warn(
      `data directory ${dir} is ${octal(before)} and could not be tightened: ${(e as Error).message}`,
    );
  }
}

/**
 * Creates the SQLite file as 0600 before SQLite opens it (SQLite would make it 0644 less the
 * umask, and gives its WAL and SHM files the database file's mode).
 */
export function createPrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  restrict(file, PRIVATE_FILE_MODE);
}

/** Sets 0600 on those of the files that exist (the database's WAL and SHM appear once open). */
export function restrictFiles(files: readonly string[]): void {
  for (const f of files) if (existsSync(f)) restrict(f, PRIVATE_FILE_MODE);
}

/** Writes a secret (a key file) readable by the hub's user only, whatever the umask. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}
