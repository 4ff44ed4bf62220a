import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, isPlaceholderSecret, loadConfig } from './config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'tyto-config-'));

describe(loadConfig.name, () => {
  it('applies the documented defaults', () => {
    const d = dir();
    const c = loadConfig({ TYTO_DATA_DIR: d }, '/web');
    expect(c).toMatchObject({
      port: 8080,
      dataDir: d,
      databaseUrl: null,
      adminPassword: null,
      logLevel: 'info',
      sampleInterval: 5,
      webDir: '/web',
      allowRegistration: false,
      passwordMinLength: 12,
      retention: { raw: 86400, '1m': 604800, '5m': 2592000, '1h': 31536000 },
    });
  });

  it.each([
    ['TYTO_PORT', 'abc'],
    ['TYTO_PORT', '70000'],
    ['TYTO_DATABASE_URL', 'mysql://x'],
    ['TYTO_LOG_LEVEL', 'chatty'],
    ['TYTO_SAMPLE_INTERVAL', '0'],
    ['TYTO_SESSION_TTL', '5 weeks'],
    ['TYTO_ALLOW_REGISTRATION', 'maybe'],
    ['TYTO_ADMIN_PASSWORD', 'short'],
    ['TYTO_RETENTION_RAW', '5m'],
    ['TYTO_RETENTION_1H', 'forever'],
    ['TYTO_LOG_FILES', 'relative/*.log'],
    ['TYTO_LOG_JOURNAL', 'sometimes'],
    ['TYTO_LOG_DOCKER', 'maybe'],
    ['TYTO_LOG_RETENTION', '10m'],
    ['TYTO_LOG_MAX_BYTES', 'lots'],
    ['TYTO_LOG_MAX_BYTES', '1KB'],
  ])('stops on a bad %s (%s) with one line naming it', (name, value) => {
    const run = () => loadConfig({ TYTO_DATA_DIR: dir(), [name]: value }, null);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`^${name}: `));
    try {
      run();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('reads the log settings: files, source switches, retention and size', () => {
    expect(loadConfig({ TYTO_DATA_DIR: dir() }, null)).toMatchObject({
      logFiles: [],
      logJournal: 'auto',
      logDocker: 'auto',
      logDockerSocket: '/var/run/docker.sock',
      logJournalctl: 'journalctl',
      logRetention: 7 * 86400,
      logMaxBytes: 1e9,
    });
    const c = loadConfig(
      {
        TYTO_DATA_DIR: dir(),
        TYTO_LOG_FILES: '/var/log/nginx/*.log, /srv/app/*.jsonl,',
        TYTO_LOG_JOURNAL: 'off',
        TYTO_LOG_DOCKER: 'true',
        TYTO_LOG_RETENTION: '30d',
        TYTO_LOG_MAX_BYTES: '512MiB',
      },
      null,
    );
    expect(c).toMatchObject({
      logFiles: ['/var/log/nginx/*.log', '/srv/app/*.jsonl'],
      logJournal: 'off',
      logDocker: 'on',
      logRetention: 30 * 86400,
      logMaxBytes: 512 * 1024 ** 2,
    });
    expect(loadConfig({ TYTO_DATA_DIR: dir(), TYTO_LOG_MAX_BYTES: '2GB' }, null).logMaxBytes).toBe(
      2e9,
    );
  });

  it('never echoes a database password', () => {
    expect(() =>
      loadConfig({ TYTO_DATA_DIR: dir(), TYTO_DATABASE_URL: 'mysql://u:secret@h/db' }, null),
    ).toThrow(/^(?!.*secret)/);
  });

  it('accepts a PostgreSQL URL and durations', () => {
    const c = loadConfig(
      {
        TYTO_DATA_DIR: dir(),
        TYTO_DATABASE_URL: 'postgres://u@127.0.0.1:5432/tyto',
        TYTO_SESSION_TTL: '2h',
        TYTO_SESSION_IDLE_TIMEOUT: '90',
        TYTO_RETENTION_1M: '14d',
      },
      null,
    );
    expect(c).toMatchObject({
      databaseUrl: 'postgres://u@127.0.0.1:5432/tyto',
      sessionTtl: 7200,
      sessionIdleTimeout: 90,
    });
    expect(c.retention['1m']).toBe(14 * 86400);
  });

  it('reads tyto.yaml in the data dir, with the environment winning', () => {
    const d = dir();
    writeFileSync(path.join(d, 'tyto.yaml'), 'port: 9090\nlog_level: debug\n');
    expect(loadConfig({ TYTO_DATA_DIR: d }, null)).toMatchObject({ port: 9090, logLevel: 'debug' });
    expect(loadConfig({ TYTO_DATA_DIR: d, TYTO_PORT: '7070' }, null).port).toBe(7070);
  });

  it('rejects unknown keys and bad values in tyto.yaml', () => {
    const d = dir();
    writeFileSync(path.join(d, 'tyto.yaml'), 'prot: 9090\n');
    expect(() => loadConfig({ TYTO_DATA_DIR: d }, null)).toThrow(/unknown setting 'prot'/);
    writeFileSync(path.join(d, 'tyto.yaml'), 'port: lots\n');
    expect(() => loadConfig({ TYTO_DATA_DIR: d }, null)).toThrow(/^TYTO_PORT: /);
  });

  it('reads the agent PKI settings', () => {
    expect(loadConfig({ TYTO_DATA_DIR: dir() }, null)).toMatchObject({
      caPassphrase: null,
      agentHostnames: null,
      agentCertDays: 90,
    });
    const c = loadConfig(
      {
        TYTO_DATA_DIR: dir(),
        TYTO_CA_PASSPHRASE: 'secret words',
        TYTO_AGENT_HOSTNAMES: ' hub.example.com, 10.0.0.5 ,::1',
        TYTO_AGENT_CERT_DAYS: '30',
      },
      null,
    );
    expect(c).toMatchObject({
      caPassphrase: 'secret words',
      agentHostnames: ['hub.example.com', '10.0.0.5', '::1'],
      agentCertDays: 30,
    });
  });

  it.each([
    ['TYTO_AGENT_HOSTNAMES', ','],
    ['TYTO_AGENT_HOSTNAMES', 'hub example'],
    ['TYTO_AGENT_HOSTNAMES', 'hub;rm -rf'],
    ['TYTO_AGENT_CERT_DAYS', '0'],
    ['TYTO_AGENT_CERT_DAYS', '1000'],
  ])('stops on a bad agent setting %s (%s)', (name, value) => {
    expect(() => loadConfig({ TYTO_DATA_DIR: dir(), [name]: value }, null)).toThrow(
      new RegExp(`^${name}: `),
    );
  });
});

describe('placeholder secrets', () => {
  it.each([
    ['TYTO_ADMIN_PASSWORD', 'change-me-please'],
    ['TYTO_ADMIN_PASSWORD', 'CHANGE_ME_CHANGE_ME'],
    ['TYTO_ADMIN_PASSWORD', '<your admin password>'],
    ['TYTO_CA_PASSPHRASE', 'changeme'],
    ['TYTO_CA_PASSPHRASE', 'Example'],
    ['TYTO_CA_PASSPHRASE', '${TYTO_CA_PASSPHRASE}'],
    ['TYTO_DATABASE_URL', 'postgres://tyto:change-me@db:5432/tyto'],
    ['TYTO_DATABASE_URL', 'postgresql://tyto:password@db/tyto'],
    ['TYTO_REDIS_URL', 'redis://:CHANGE_ME@redis:6379/0'],
    ['TYTO_REDIS_URL', 'rediss://default:secret@redis:6380'],
  ])('refuses to start when %s holds a placeholder (%s), in one line', (name, value) => {
    const run = () => loadConfig({ TYTO_DATA_DIR: dir(), [name]: value }, null);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`^${name}: .*placeholder, not a secret; set a real one$`));
  });

  it('never echoes the placeholder of a URL', () => {
    expect(() =>
      loadConfig({ TYTO_DATA_DIR: dir(), TYTO_DATABASE_URL: 'postgres://u:changeme@h/db' }, null),
    ).toThrow(/^(?!.*changeme)/);
  });

  it('accepts real secrets and URLs without a password', () => {
    const c = loadConfig(
      {
        TYTO_DATA_DIR: dir(),
        TYTO_ADMIN_PASSWORD: 'a8f3c1e9b2d47065',
        TYTO_CA_PASSPHRASE: 'correct horse battery staple',
        TYTO_DATABASE_URL: 'postgres://tyto:9f2c4e1a7b3d@db:5432/tyto',
        TYTO_REDIS_URL: 'redis://redis:6379/0',
      },
      null,
    );
    expect(c).toMatchObject({
      adminPassword: 'a8f3c1e9b2d47065',
      caPassphrase: 'correct horse battery staple',
      redisUrl: 'redis://redis:6379/0',
    });
  });
});

describe(isPlaceholderSecret.name, () => {
  it.each([
    'change-me',
    'changeme',
    'CHANGE_ME',
    'Change Me',
    'password',
    'example',
    'xxxxxx',
    '...',
  ])('knows %s', (v) => expect(isPlaceholderSecret(v)).toBe(true));

  it.each(['9f2c4e1a7b3d', 'correct horse battery staple', 'passwordless-and-long-3'])(
    'lets %s through',
    (v) => expect(isPlaceholderSecret(v)).toBe(false),
  );
});
