import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryResolution } from '@tyto/contracts';
import { parse as parseYaml } from 'yaml';

/**
 * Hub configuration, parsed once at boot from `TYTO_*` environment variables over an optional
 * `tyto.yaml` in the data directory (keys are the variable names without `TYTO_`, lower case:
 * `port`, `database_url`, …). Nothing else in the hub reads process.env.
 */
export interface TytoConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: SQLite file in the data dir; `postgres://…`: PostgreSQL. */
  databaseUrl: string | null;
  adminPassword: string | null;
  logLevel: LogLevel;
  /** Seconds between two samples of the local host, until changed through the settings API. */
  sampleInterval: number;
  /** Absolute lifetime of a session, seconds. */
  sessionTtl: number;
  /** A session unused for this long ends, seconds. */
  sessionIdleTimeout: number;
  allowRegistration: boolean;
  passwordMinLength: number;
  /** Failed logins per (username, client address) before lockout. */
  loginMaxFailures: number;
  /** Lockout (and failure counting window), seconds. */
  loginLockout: number;
  /** Failed logins from one client address, whatever the usernames, before lockout. */
  loginAddressMaxFailures: number;
  /** Self-registrations per client address per hour. */
  registrationsPerHour: number;
  /** Directory of the built web app (index.html), or null to serve no UI. */
  webDir: string | null;
  /** Honour X-Forwarded-For from this many proxy hops (0: use the socket address). */
  trustProxy: number;
  /** Mark the session cookie Secure (set when the hub is served over HTTPS). */
  cookieSecure: boolean;
  /** How long each history tier is kept, seconds. */
  retention: Record<HistoryResolution, number>;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function fail(name: string, expected: string, got: string): never {
  throw new ConfigError(`${name}: expected ${expected}, got '${got}'`);
}

function int(src: Source, name: string, def: number, min: number, max: number): number {
  const raw = src[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) fail(name, `an integer ${min}–${max}`, raw);
  const n = Number(raw);
  if (n < min || n > max) fail(name, `an integer ${min}–${max}`, raw);
  return n;
}

/** Seconds; accepts a bare number of seconds or 30s / 15m / 12h / 7d. */
function duration(src: Source, name: string, def: number, min = 1): number {
  const raw = src[name];
  if (raw === undefined || raw === '') return def;
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!m || Number(m[1]) === 0) fail(name, 'a positive duration such as 90, 15m, 12h or 7d', raw);
  const seconds = Number(m[1]) * DURATION_UNITS[m[2] || 's'];
  if (seconds < min) fail(name, `a duration of at least ${min} seconds`, raw);
  return seconds;
}

function bool(src: Source, name: string, def: boolean): boolean {
  const raw = src[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return fail(name, 'true or false', raw);
}

function readYaml(dataDir: string): Source {
  const file = path.join(dataDir, 'tyto.yaml');
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${file}: expected a mapping of settings`);
  }
  const out: Source = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const name = `TYTO_${k.toUpperCase()}`;
    if (!KNOWN_VARIABLES.has(name) || name === 'TYTO_DATA_DIR') {
      throw new ConfigError(`${file}: unknown setting '${k}'`);
    }
    if (v !== null && typeof v === 'object')
      throw new ConfigError(`${file}: '${k}' must be a scalar`);
    out[name] = v === null ? undefined : String(v);
  }
  return out;
}

/** Every variable the hub reads; anything else named TYTO_* is a typo. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  'TYTO_PORT',
  'TYTO_HOST',
  'TYTO_DATA_DIR',
  'TYTO_DATABASE_URL',
  'TYTO_ADMIN_PASSWORD',
  'TYTO_LOG_LEVEL',
  'TYTO_SAMPLE_INTERVAL',
  'TYTO_SESSION_TTL',
  'TYTO_SESSION_IDLE_TIMEOUT',
  'TYTO_ALLOW_REGISTRATION',
  'TYTO_PASSWORD_MIN_LENGTH',
  'TYTO_LOGIN_MAX_FAILURES',
  'TYTO_LOGIN_LOCKOUT',
  'TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS',
  'TYTO_REGISTRATIONS_PER_HOUR',
  'TYTO_WEB_DIR',
  'TYTO_TRUST_PROXY',
  'TYTO_COOKIE_SECURE',
  'TYTO_RETENTION_RAW',
  'TYTO_RETENTION_1M',
  'TYTO_RETENTION_5M',
  'TYTO_RETENTION_1H',
]);

/**
 * Parses the configuration. `defaultWebDir` is where the web build sits next to the hub's bundle.
 * Throws ConfigError with one line naming the variable at the first bad value.
 */
export function loadConfig(env: Source, defaultWebDir: string | null): TytoConfig {
  const dataDir = path.resolve(env['TYTO_DATA_DIR'] || './data');
  // Environment wins over tyto.yaml, so a container can override a mounted file.
  const src: Source = { ...readYaml(dataDir), ...env };

  const databaseUrl = src['TYTO_DATABASE_URL'] || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
    fail(
      'TYTO_DATABASE_URL',
      'unset (SQLite) or a postgres:// URL',
      databaseUrl.replace(/:[^:@/]*@/, ':***@'),
    );
  }
  const logLevel = (src['TYTO_LOG_LEVEL'] || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    fail('TYTO_LOG_LEVEL', LOG_LEVELS.join(', '), logLevel);
  }
  const passwordMinLength = int(src, 'TYTO_PASSWORD_MIN_LENGTH', 12, 8, 128);
  const adminPassword = src['TYTO_ADMIN_PASSWORD'] || null;
  if (adminPassword !== null && adminPassword.length < passwordMinLength) {
    throw new ConfigError(`TYTO_ADMIN_PASSWORD: must be at least ${passwordMinLength} characters`);
  }
  const host = src['TYTO_HOST'] || '0.0.0.0';
  if (!/^[\w.:-]+$/.test(host)) fail('TYTO_HOST', 'an address to listen on', host);
  const webDirRaw = src['TYTO_WEB_DIR'];

  return {
    port: int(src, 'TYTO_PORT', 8080, 1, 65535),
    host,
    dataDir,
    databaseUrl,
    adminPassword,
    logLevel: logLevel as LogLevel,
    sampleInterval: int(src, 'TYTO_SAMPLE_INTERVAL', 5, 1, 3600),
    sessionTtl: duration(src, 'TYTO_SESSION_TTL', 12 * 3600),
    sessionIdleTimeout: duration(src, 'TYTO_SESSION_IDLE_TIMEOUT', 3600),
    allowRegistration: bool(src, 'TYTO_ALLOW_REGISTRATION', false),
    passwordMinLength,
    loginMaxFailures: int(src, 'TYTO_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginLockout: duration(src, 'TYTO_LOGIN_LOCKOUT', 15 * 60),
    loginAddressMaxFailures: int(src, 'TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100_000),
    registrationsPerHour: int(src, 'TYTO_REGISTRATIONS_PER_HOUR', 5, 1, 10_000),
    webDir:
      webDirRaw === undefined ? defaultWebDir : webDirRaw === '' ? null : path.resolve(webDirRaw),
    trustProxy: int(src, 'TYTO_TRUST_PROXY', 0, 0, 10),
    cookieSecure: bool(src, 'TYTO_COOKIE_SECURE', false),
    // Each tier must outlive a few of its source's buckets, or rollups would find nothing to read.
    retention: {
      raw: duration(src, 'TYTO_RETENTION_RAW', 86400, 600),
      '1m': duration(src, 'TYTO_RETENTION_1M', 7 * 86400, 3600),
      '5m': duration(src, 'TYTO_RETENTION_5M', 30 * 86400, 3600),
      '1h': duration(src, 'TYTO_RETENTION_1H', 365 * 86400, 86400),
    },
  };
}

/** Injection token for the parsed TytoConfig. */
export const TYTO_CONFIG = Symbol('TYTO_CONFIG');
