import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { HistoryResolution } from '@tyto/contracts';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import {
  parseLdap,
  parseOidc,
  SSO_VARIABLES,
  type LdapSettings,
  type OidcSettings,
  type ProviderConfig,
} from './sso-config';

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
  /** `json` lines, `pretty` human lines, or `auto`: pretty on a terminal, JSON elsewhere. */
  logFormat: LogFormat | 'auto';
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
  /** Where a login without `provider` is checked first (TYTO_AUTH_DEFAULT_PROVIDER). */
  authDefaultProvider: 'local' | 'ldap';
  /** Null when TYTO_LDAP_URL is unset; `{ error }` when set but unusable (see sso-config.ts). */
  ldap: ProviderConfig<LdapSettings>;
  /** Null when TYTO_OIDC_ISSUER is unset; `{ error }` when set but unusable. */
  oidc: ProviderConfig<OidcSettings>;
  /** Port of the agent listener (enrollment and the mutual-TLS channel); 0 picks a free one. */
  agentPort: number;
  /** Where the collector reads procfs, sysfs and the host's root (a container mounts the host's). */
  procRoot: string | undefined;
  sysRoot: string | undefined;
  hostRoot: string | undefined;
  /** Directory of the agent bundle and install.sh served under /downloads, or null for none. */
  downloadsDir: string | null;
  /** Encrypts the agent CA's key file (ca.key) when set. */
  caPassphrase: string | null;
  /** Names and addresses in the agent listener's certificate; null: hostname, localhost, 127.0.0.1. */
  agentHostnames: string[] | null;
  /** Validity of an agent's client certificate, days. */
  agentCertDays: number;
  /** Files and globs the hub follows for its own host's logs (TYTO_LOG_FILES). */
  logFiles: string[];
  /** Read the systemd journal: auto (when present), on, off. */
  logJournal: LogSourceSwitch;
  /** Read Docker containers' output through the Engine API: auto (when present), on, off. */
  logDocker: LogSourceSwitch;
  /** The Engine API's unix socket. */
  logDockerSocket: string;
  /** The journalctl program the journal is read through. */
  logJournalctl: string;
  /** Log lines older than this are deleted, seconds. */
  logRetention: number;
  /** Each host's stored log lines are cut back (oldest first) to this many bytes. */
  logMaxBytes: number;
  /**
   * Redis for a hub with replicas (TYTO_REDIS_URL): the bus is bridged and limits are shared
   * through it. Null: one hub, everything in process.
   */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel (TYTO_REDIS_PREFIX), so hubs can share a server. */
  redisPrefix: string;
  /** This replica's name on the bus and in leases (TYTO_REPLICA_ID); default hostname-pid. */
  replicaId: string;
  /** The agent CA and listener certificate (TYTO_PKI_DIR): replicas share one directory. */
  pkiDir: string;
}

export type LogSourceSwitch = 'auto' | 'on' | 'off';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = Exclude<(typeof LOG_FORMATS)[number], 'auto'>;

export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

// Variables arrive as strings (environment or tyto.yaml scalars); unset and '' mean the default.
// Each builder turns one into its typed value or reports `expected …, got '…'`.
const given = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const expected = (ctx: z.RefinementCtx, what: string, got: string) => {
  ctx.addIssue({ code: 'custom', message: `expected ${what}, got '${got}'` });
  return z.NEVER;
};

const int = (def: number, min: number, max: number) =>
  given.transform((raw, ctx) => {
    if (raw === undefined) return def;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    return n >= min && n <= max ? n : expected(ctx, `an integer ${min}–${max}`, raw);
  });

/** Seconds; a bare number of seconds or 30s / 15m / 12h / 7d. */
const duration = (def: number, min = 1) =>
  given.transform((raw, ctx) => {
    if (raw === undefined) return def;
    const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
    if (!m || Number(m[1]) === 0) {
      return expected(ctx, 'a positive duration such as 90, 15m, 12h or 7d', raw);
    }
    const seconds = Number(m[1]) * DURATION_UNITS[m[2] || 's'];
    return seconds >= min ? seconds : expected(ctx, `a duration of at least ${min} seconds`, raw);
  });

const bool = (def: boolean) =>
  given.transform((raw, ctx) => {
    if (raw === undefined) return def;
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return expected(ctx, 'true or false', raw);
  });

const text = (def: string | null, pattern: RegExp, what: string, shown = (v: string) => v) =>
  given.transform((raw, ctx) => {
    if (raw === undefined) return def;
    return pattern.test(raw) ? raw : expected(ctx, what, shown(raw));
  });

const sourceSwitch = given.transform((raw, ctx): LogSourceSwitch => {
  const v = (raw ?? 'auto').trim().toLowerCase();
  if (v === 'auto') return 'auto';
  if (['true', '1', 'yes', 'on'].includes(v)) return 'on';
  if (['false', '0', 'no', 'off'].includes(v)) return 'off';
  return expected(ctx, 'auto, on or off', raw ?? '');
});

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

/** Bytes; a bare number or 500MB / 1GB (decimal units; KiB/MiB/GiB binary). */
const byteSize = (def: number, min: number) =>
  given.transform((raw, ctx) => {
    if (raw === undefined) return def;
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?$/i.exec(raw.trim());
    if (!m) return expected(ctx, 'a size such as 1073741824, 500MB or 1GB', raw);
    const unit = m[2].toLowerCase();
    const factor = m[3] ? 1024 ** ['', 'k', 'm', 'g', 't'].indexOf(unit) : SIZE_UNITS[unit];
    const bytes = Math.floor(Number(m[1]) * factor);
    return bytes >= min ? bytes : expected(ctx, `a size of at least ${min} bytes`, raw);
  });

/** Comma-separated absolute paths or globs. */
const pathList = given.transform((raw, ctx) => {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.find((p) => !p.startsWith('/') || /\p{Cc}/u.test(p));
  return bad === undefined ? items : expected(ctx, 'comma-separated absolute paths or globs', bad);
});

/**
 * Every variable the hub reads, its type, default and range: the one list. Each tier of history
 * must outlive a few of its source's buckets, or rollups would find nothing to read.
 */
const VariablesSchema = z.object({
  TYTO_PORT: int(8080, 1, 65535),
  TYTO_HOST: text('0.0.0.0', /^[\w.:-]+$/, 'an address to listen on'),
  TYTO_DATA_DIR: given,
  TYTO_DATABASE_URL: text(
    null,
    /^postgres(ql)?:\/\/[^\s]+$/,
    'unset (SQLite) or a postgres:// URL',
    // Never echo a password.
    (v) => v.replace(/:[^:@/]*@/, ':***@'),
  ),
  TYTO_ADMIN_PASSWORD: given,
  TYTO_LOG_LEVEL: given.transform((raw, ctx) => {
    const level = (raw ?? 'info').toLowerCase();
    return (LOG_LEVELS as readonly string[]).includes(level)
      ? (level as LogLevel)
      : expected(ctx, LOG_LEVELS.join(', '), level);
  }),
  TYTO_LOG_FORMAT: given.transform((raw, ctx) => {
    const format = (raw ?? 'auto').toLowerCase();
    return (LOG_FORMATS as readonly string[]).includes(format)
      ? (format as LogFormat | 'auto')
      : expected(ctx, LOG_FORMATS.join(', '), format);
  }),
  TYTO_SAMPLE_INTERVAL: int(5, 1, 3600),
  TYTO_SESSION_TTL: duration(12 * 3600),
  TYTO_SESSION_IDLE_TIMEOUT: duration(3600),
  TYTO_ALLOW_REGISTRATION: bool(false),
  TYTO_PASSWORD_MIN_LENGTH: int(12, 8, 128),
  TYTO_LOGIN_MAX_FAILURES: int(5, 1, 1000),
  TYTO_LOGIN_LOCKOUT: duration(15 * 60),
  TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS: int(50, 1, 100_000),
  TYTO_REGISTRATIONS_PER_HOUR: int(5, 1, 10_000),
  TYTO_WEB_DIR: z.string().optional(),
  TYTO_TRUST_PROXY: int(0, 0, 10),
  TYTO_COOKIE_SECURE: bool(false),
  TYTO_RETENTION_RAW: duration(86400, 600),
  TYTO_RETENTION_1M: duration(7 * 86400, 3600),
  TYTO_RETENTION_5M: duration(30 * 86400, 3600),
  TYTO_RETENTION_1H: duration(365 * 86400, 86400),
  TYTO_AUTH_DEFAULT_PROVIDER: text('local', /^(local|ldap)$/, 'local or ldap'),
  // Read by sso-config.ts, leniently: a bad SSO value disables that provider, not the hub.
  ...Object.fromEntries(
    SSO_VARIABLES.filter((n) => n !== 'TYTO_AUTH_DEFAULT_PROVIDER').map((n) => [n, given]),
  ),
  TYTO_AGENT_PORT: int(8443, 0, 65535),
  TYTO_PROC_ROOT: text(null, /^\/[^\0]*$/, 'an absolute path'),
  TYTO_SYS_ROOT: text(null, /^\/[^\0]*$/, 'an absolute path'),
  TYTO_HOST_ROOT: text(null, /^\/[^\0]*$/, 'an absolute path'),
  TYTO_DOWNLOADS_DIR: z.string().optional(),
  TYTO_CA_PASSPHRASE: given,
  TYTO_AGENT_HOSTNAMES: given.transform((raw, ctx) => {
    if (raw === undefined) return null;
    const names = raw
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    // DNS names (a leading *. allowed), IPv4 or IPv6 addresses.
    const ok = names.every((n) =>
      /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^[0-9a-fA-F:.]+$/.test(n),
    );
    return names.length > 0 && ok
      ? names
      : expected(ctx, 'a comma-separated list of host names and IP addresses', raw);
  }),
  TYTO_AGENT_CERT_DAYS: int(90, 1, 825),
  TYTO_LOG_FILES: pathList,
  TYTO_LOG_JOURNAL: sourceSwitch,
  TYTO_LOG_DOCKER: sourceSwitch,
  TYTO_LOG_DOCKER_SOCKET: text('/var/run/docker.sock', /^\/\P{Cc}*$/u, 'an absolute path'),
  TYTO_LOG_JOURNALCTL: text('journalctl', /^\P{Cc}+$/u, 'a program name or path'),
  TYTO_LOG_RETENTION: duration(7 * 86400, 3600),
  TYTO_LOG_MAX_BYTES: byteSize(1e9, 1e6),
  TYTO_REDIS_URL: text(null, /^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL', (v) =>
    // A password in the URL stays out of the error line.
    v.replace(/\/\/[^@/]*@/, '//***@'),
  ),
  TYTO_REDIS_PREFIX: text('tyto:', /^[\w.:-]{1,64}$/, 'letters, digits and . : - _'),
  TYTO_REPLICA_ID: text(null, /^[\w.-]{1,64}$/, 'letters, digits and . - _'),
  TYTO_PKI_DIR: text(null, /^\/[^\0]*$/, 'an absolute path'),
});

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

/**
 * Values that are templates, not secrets (compared in lower case, letters and digits only, so
 * `CHANGE_ME`, `change-me` and `Change Me` are one): a hub holding one refuses to start.
 */
const PLACEHOLDER_SECRETS = new Set([
  'changeme',
  'changethis',
  'replaceme',
  'password',
  'passw0rd',
  'secret',
  'example',
  'placeholder',
  'yourpassword',
  'yoursecret',
  'mypassword',
  'redacted',
  'todo',
  'fixme',
]);

/**
 * True for a known placeholder: one of PLACEHOLDER_SECRETS, one starting with `changeme`
 * or `replaceme` (`change-me-please`), `xxx…`, `...`, `<your password>`, or a `${VAR}` that
 * was never expanded.
 */
export function isPlaceholderSecret(value: string): boolean {
  const v = value.trim();
  if (/^<[^>]*>$/.test(v) || /^\$\{[^}]*\}$/.test(v) || /^(\.{3,}|…)$/.test(v)) return true;
  const n = v.toLowerCase().replace(/[^a-z0-9]/g, '');
  return PLACEHOLDER_SECRETS.has(n) || /^(changeme|replaceme)/.test(n) || /^x{3,}$/.test(n);
}

/** The password inside a postgres:// or redis:// URL, or null when it has none. */
function urlPassword(url: string | null): string | null {
  if (url === null) return null;
  try {
    const password = new URL(url).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}

/** Refuses a secret left at a placeholder, with one line that names where it is. */
function refusePlaceholders(
  secrets: [name: string, what: string, value: string | null | undefined][],
): void {
  for (const [name, what, value] of secrets) {
    if (value && isPlaceholderSecret(value)) {
      throw new ConfigError(`${name}: ${what} is a placeholder, not a secret; set a real one`);
    }
  }
}

/** Every variable the hub reads; anything else named TYTO_* is a typo. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(Object.keys(VariablesSchema.shape));

/**
 * Parses the configuration. `defaultWebDir` is where the web build sits next to the hub's bundle.
 * Throws ConfigError with one line naming the variable at the first bad value.
 */
export function loadConfig(env: Source, defaultWebDir: string | null): TytoConfig {
  const dataDir = path.resolve(env['TYTO_DATA_DIR'] || './data');
  // Environment wins over tyto.yaml, so a container can override a mounted file.
  const src: Source = { ...readYaml(dataDir), ...env };
  const parsed = VariablesSchema.safeParse(src);
  if (!parsed.success) {
    // Issues come in the schema's order: report the first, on one line.
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const v = parsed.data;
  refusePlaceholders([
    ['TYTO_ADMIN_PASSWORD', 'the value', v.TYTO_ADMIN_PASSWORD],
    ['TYTO_CA_PASSPHRASE', 'the value', v.TYTO_CA_PASSPHRASE],
    ['TYTO_DATABASE_URL', 'the database password', urlPassword(v.TYTO_DATABASE_URL)],
    ['TYTO_REDIS_URL', 'the Redis password', urlPassword(v.TYTO_REDIS_URL)],
  ]);
  const adminPassword = v.TYTO_ADMIN_PASSWORD ?? null;
  if (adminPassword !== null && adminPassword.length < v.TYTO_PASSWORD_MIN_LENGTH) {
    throw new ConfigError(
      `TYTO_ADMIN_PASSWORD: must be at least ${v.TYTO_PASSWORD_MIN_LENGTH} characters`,
    );
  }
  const webDir = v.TYTO_WEB_DIR;
  return {
    port: v.TYTO_PORT,
    host: v.TYTO_HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: v.TYTO_DATABASE_URL,
    adminPassword,
    logLevel: v.TYTO_LOG_LEVEL,
    logFormat: v.TYTO_LOG_FORMAT,
    sampleInterval: v.TYTO_SAMPLE_INTERVAL,
    sessionTtl: v.TYTO_SESSION_TTL,
    sessionIdleTimeout: v.TYTO_SESSION_IDLE_TIMEOUT,
    allowRegistration: v.TYTO_ALLOW_REGISTRATION,
    passwordMinLength: v.TYTO_PASSWORD_MIN_LENGTH,
    loginMaxFailures: v.TYTO_LOGIN_MAX_FAILURES,
    loginLockout: v.TYTO_LOGIN_LOCKOUT,
    loginAddressMaxFailures: v.TYTO_LOGIN_MAX_FAILURES_PER_ADDRESS,
    registrationsPerHour: v.TYTO_REGISTRATIONS_PER_HOUR,
    webDir: webDir === undefined ? defaultWebDir : webDir === '' ? null : path.resolve(webDir),
    trustProxy: v.TYTO_TRUST_PROXY,
    cookieSecure: v.TYTO_COOKIE_SECURE,
    retention: {
      raw: v.TYTO_RETENTION_RAW,
      '1m': v.TYTO_RETENTION_1M,
      '5m': v.TYTO_RETENTION_5M,
      '1h': v.TYTO_RETENTION_1H,
    },
    authDefaultProvider: v.TYTO_AUTH_DEFAULT_PROVIDER === 'ldap' ? 'ldap' : 'local',
    ldap: parseLdap(src),
    oidc: parseOidc(src),
    agentPort: v.TYTO_AGENT_PORT,
    procRoot: v.TYTO_PROC_ROOT ?? undefined,
    sysRoot: v.TYTO_SYS_ROOT ?? undefined,
    hostRoot: v.TYTO_HOST_ROOT ?? undefined,
    downloadsDir:
      v.TYTO_DOWNLOADS_DIR === undefined
        ? // Next to the hub's bundle: the api build writes dist/apps/api/downloads.
          path.join(__dirname, 'downloads')
        : v.TYTO_DOWNLOADS_DIR === ''
          ? null
          : path.resolve(v.TYTO_DOWNLOADS_DIR),
    caPassphrase: v.TYTO_CA_PASSPHRASE ?? null,
    agentHostnames: v.TYTO_AGENT_HOSTNAMES,
    agentCertDays: v.TYTO_AGENT_CERT_DAYS,
    logFiles: v.TYTO_LOG_FILES,
    logJournal: v.TYTO_LOG_JOURNAL,
    logDocker: v.TYTO_LOG_DOCKER,
    logDockerSocket: v.TYTO_LOG_DOCKER_SOCKET ?? '/var/run/docker.sock',
    logJournalctl: v.TYTO_LOG_JOURNALCTL ?? 'journalctl',
    logRetention: v.TYTO_LOG_RETENTION,
    logMaxBytes: v.TYTO_LOG_MAX_BYTES,
    redisUrl: v.TYTO_REDIS_URL ?? null,
    redisPrefix: v.TYTO_REDIS_PREFIX ?? 'tyto:',
    replicaId: v.TYTO_REPLICA_ID ?? `${hostname()}-${process.pid}`,
    pkiDir: v.TYTO_PKI_DIR ?? path.join(dataDir, 'pki'),
  };
}

/** Injection token for the parsed TytoConfig. */
export const TYTO_CONFIG = Symbol('TYTO_CONFIG');
