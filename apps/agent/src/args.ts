import { hasNoControlCharacters } from '@tyto/contracts';
import { readFileSync } from 'node:fs';

/** Options of the agent, from flags over TYTO_AGENT_* variables over a config file. */
export interface AgentOptions {
  /** Print one sample to stdout and exit (no hub needed). */
  once: boolean;
  /** Only check the options and exit (install.sh runs this before starting the unit). */
  check: boolean;
  /** Seconds between samples until the hub says otherwise. */
  interval: number;
  /** Agent id: the certificate's CN on the hub. */
  id: string;
  /** Display name sent at enrollment. */
  name: string;
  /** Agent listener of the hub, `https://HOST:PORT`; null only with --once. */
  hub: string | null;
  /** `sha256:<64 hex>` of the hub's CA certificate (DER). */
  caFingerprint: string | null;
  /** One-time enrollment token (approves at once). */
  token: string | null;
  /** Key, certificate and sample buffer. */
  stateDir: string;
  /** Cap on the on-disk buffer, bytes. */
  bufferMax: number;
  /** Where the collector reads procfs and sysfs (an agent in a container reads the host's). */
  procRoot: string | null;
  sysRoot: string | null;
  /** Log files and globs to follow and ship to the hub (TYTO_LOG_FILES semantics). */
  logFiles: string[];
  /** Read the systemd journal / Docker containers: `auto` is on when present. */
  logJournal: LogSwitch;
  logDocker: LogSwitch;
  logDockerSocket: string;
  /** Cap on the on-disk log buffer, bytes. */
  logBufferMax: number;
}

export type LogSwitch = 'auto' | 'on' | 'off';

export class UsageError extends Error {}

export const USAGE = `usage: tyto-agent --hub https://HOST:8443 --ca-fingerprint sha256:HEX [--token TOKEN]
         [--id ID] [--name NAME] [--state-dir DIR] [--buffer-max BYTES] [--interval SECONDS]
         [--proc-root DIR] [--sys-root DIR] [--config FILE]
         [--log-files PATHS] [--log-journal auto|on|off] [--log-docker auto|on|off]
         [--log-docker-socket PATH] [--log-buffer-max BYTES]
       tyto-agent --once [--id ID]      (print one sample and exit)
       tyto-agent --check [...]         (check the options and exit)
  Every flag also reads from TYTO_AGENT_<FLAG> (TYTO_AGENT_HUB, TYTO_AGENT_CA_FINGERPRINT, ...)
  or a KEY=VALUE file of those variables (--config, TYTO_AGENT_CONFIG); the log flags also
  read the hub's names TYTO_LOG_FILES, TYTO_LOG_JOURNAL, TYTO_LOG_DOCKER, TYTO_LOG_DOCKER_SOCKET.`;

const ID_RE = /^[a-z0-9][a-z0-9.-]{0,62}$/;
const FINGERPRINT_RE = /^sha256:[0-9a-f]{64}$/;

/** Flag name → option, with the variable it reads from as `TYTO_AGENT_<NAME>`. */
const FLAGS = {
  '--hub': 'hub',
  '--ca-fingerprint': 'caFingerprint',
  '--token': 'token',
  '--id': 'id',
  '--name': 'name',
  '--state-dir': 'stateDir',
  '--buffer-max': 'bufferMax',
  '--interval': 'interval',
  '--proc-root': 'procRoot',
  '--sys-root': 'sysRoot',
  '--config': 'config',
  '--log-files': 'logFiles',
  '--log-journal': 'logJournal',
  '--log-docker': 'logDocker',
  '--log-docker-socket': 'logDockerSocket',
  '--log-buffer-max': 'logBufferMax',
} as const;
type Key = (typeof FLAGS)[keyof typeof FLAGS];

const envName = (flag: string) => `TYTO_AGENT_${flag.slice(2).replace(/-/g, '_').toUpperCase()}`;
/** The hub's names for the same log settings, read after the agent's own. */
const HUB_NAMES: Partial<Record<Key, string>> = {
  logFiles: 'TYTO_LOG_FILES',
  logJournal: 'TYTO_LOG_JOURNAL',
  logDocker: 'TYTO_LOG_DOCKER',
  logDockerSocket: 'TYTO_LOG_DOCKER_SOCKET',
};

/** `auto`, or on/off as the hub reads TYTO_LOG_JOURNAL and TYTO_LOG_DOCKER. */
function parseSwitch(raw: string | undefined, flag: string): LogSwitch {
  const v = (raw ?? 'auto').toLowerCase();
  if (v === 'auto') return 'auto';
  if (['true', '1', 'yes', 'on'].includes(v)) return 'on';
  if (['false', '0', 'no', 'off'].includes(v)) return 'off';
  throw new UsageError(`${flag} must be auto, on or off, got '${raw}'`);
}

/** A KEY=VALUE file (systemd EnvironmentFile syntax: `#` comments, optional quotes). */
export function parseConfigFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new UsageError(`${file}:${i + 1}: expected KEY=VALUE`);
    let v = m[2];
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  });
  return out;
}

/** Parses size values: bytes, or with K/M/G suffix (powers of 1024). */
function parseBytes(raw: string, flag: string): number {
  const m = /^(\d+)\s*([KMG]?)B?$/i.exec(raw.trim());
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m?.[2] ?? '').toUpperCase()] ?? 1;
  const n = m ? Number(m[1]) * unit : NaN;
  if (!(n >= 64 * 1024 && n <= 64 * 1024 ** 3))
    throw new UsageError(`${flag} must be 64K–64G bytes, got '${raw}'`);
  return n;
}

/**
 * Parses argv (without node and script) over the environment and config file; throws UsageError
 * with a one-line message.
 */
export function parseArgs(
  argv: readonly string[],
  defaults: { id: string },
  env: Record<string, string | undefined> = {},
  readFile: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): AgentOptions {
  const given: Partial<Record<Key, string>> = {};
  let once = false;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--once' || arg === '--check') {
      if (arg === '--once') once = true;
      else check = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (!(flag in FLAGS)) throw new UsageError(`unknown option '${arg}'`);
    let v: string | undefined = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--')))
      throw new UsageError(`${flag} needs a value`);
    v = v.trim();
    given[FLAGS[flag as keyof typeof FLAGS]] = v;
  }
  // Flags win over variables, variables over the file.
  const configFile = given.config ?? env['TYTO_AGENT_CONFIG'];
  const file = configFile ? parseConfigFile(readConfig(configFile, readFile), configFile) : {};
  const raw: Partial<Record<Key, string>> = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const name = envName(flag);
    const hub = HUB_NAMES[key];
    const v =
      given[key] ??
      env[name] ??
      (hub ? env[hub] : undefined) ??
      file[name] ??
      (hub ? file[hub] : undefined);
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const name of Object.keys(file)) {
    if (!(name in ENV_KEYS)) throw new UsageError(`${configFile}: unknown setting '${name}'`);
  }
  for (const [key, v] of Object.entries(raw)) {
    if (!hasNoControlCharacters(v))
      throw new UsageError(`${flagOf(key)} must not contain control characters`);
  }

  const opts: AgentOptions = {
    once,
    check,
    interval: 5,
    id: defaults.id.toLowerCase(),
    name: raw.name ?? raw.id ?? defaults.id,
    hub: null,
    caFingerprint: null,
    token: raw.token ?? null,
    stateDir: raw.stateDir ?? '/var/lib/tyto-agent',
    bufferMax: raw.bufferMax ? parseBytes(raw.bufferMax, '--buffer-max') : 100 * 1024 * 1024,
    procRoot: raw.procRoot ?? null,
    sysRoot: raw.sysRoot ?? null,
    logFiles: (raw.logFiles ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    logJournal: parseSwitch(raw.logJournal, '--log-journal'),
    logDocker: parseSwitch(raw.logDocker, '--log-docker'),
    logDockerSocket: raw.logDockerSocket ?? '/var/run/docker.sock',
    logBufferMax: raw.logBufferMax
      ? parseBytes(raw.logBufferMax, '--log-buffer-max')
      : 100 * 1024 * 1024,
  };
  const badPath = opts.logFiles.find((p) => !p.startsWith('/'));
  if (badPath !== undefined)
    throw new UsageError(`--log-files takes absolute paths or globs, got '${badPath}'`);
  if (raw.interval !== undefined) {
    const n = Number(raw.interval);
    if (!/^\d+$/.test(raw.interval) || n < 1 || n > 3600)
      throw new UsageError(`--interval must be an integer 1–3600, got '${raw.interval}'`);
    opts.interval = n;
  }
  if (raw.id !== undefined) {
    if (!ID_RE.test(raw.id))
      throw new UsageError(
        `--id must be 1–63 lower-case letters, digits, '.' or '-', starting with a letter or digit, got '${raw.id}'`,
      );
    opts.id = raw.id;
  } else if (!ID_RE.test(opts.id)) {
    throw new UsageError(`the hostname '${defaults.id}' is not a valid agent id: pass --id`);
  }
  if (opts.name.length > 128) throw new UsageError('--name must be at most 128 characters');
  if (raw.token !== undefined && !/^[\w.~+/=-]{16,512}$/.test(raw.token))
    throw new UsageError('--token is not an enrollment token');
  for (const key of ['stateDir', 'procRoot', 'sysRoot', 'logDockerSocket'] as const) {
    const v = raw[key];
    if (v !== undefined && !v.startsWith('/'))
      throw new UsageError(`${flagOf(key)} must be an absolute path, got '${v}'`);
  }
  if (raw.hub !== undefined) {
    let url: URL;
    try {
      url = new URL(raw.hub);
    } catch {
      throw new UsageError(`--hub must be https://HOST:PORT, got '${raw.hub}'`);
    }
    if (
      url.protocol !== 'https:' ||
      url.username ||
      url.password ||
      url.search ||
      url.hash ||
      !['', '/'].includes(url.pathname)
    )
      throw new UsageError(`--hub must be https://HOST:PORT, got '${raw.hub}'`);
    opts.hub = url.origin;
  }
  if (raw.caFingerprint !== undefined) {
    // Accept the colon-separated form openssl prints, too.
    const lower = raw.caFingerprint.toLowerCase();
    const fp = lower.startsWith('sha256:') ? `sha256:${lower.slice(7).replace(/:/g, '')}` : lower;
    if (!FINGERPRINT_RE.test(fp))
      throw new UsageError(
        `--ca-fingerprint must be sha256:<64 hex digits>, got '${raw.caFingerprint}'`,
      );
    opts.caFingerprint = fp;
  }
  if (!once) {
    if (!opts.hub) throw new UsageError('--hub is required');
    if (!opts.caFingerprint) throw new UsageError('--ca-fingerprint is required');
  }
  return opts;
}

const ENV_KEYS: Record<string, true> = Object.fromEntries([
  ...Object.keys(FLAGS).map((f) => [envName(f), true]),
  ...Object.values(HUB_NAMES).map((n) => [n, true]),
]);

function flagOf(key: string): string {
  return Object.entries(FLAGS).find(([, k]) => k === key)?.[0] ?? key;
}

function readConfig(file: string, readFile: (file: string) => string): string {
  try {
    return readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
