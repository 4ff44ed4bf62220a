import { parseArgs, parseConfigFile, UsageError } from './args';

const FP = `sha256:${'ab'.repeat(32)}`;
const base = ['--hub', 'https://hub.example:8443', '--ca-fingerprint', FP];

describe(parseArgs.name, () => {
  it('needs only --once to print one sample', () => {
    expect(parseArgs(['--once'], { id: 'web-01' })).toMatchObject({ once: true, id: 'web-01' });
  });

  it('reads every option, with the documented defaults', () => {
    expect(parseArgs(base, { id: 'Web-01' })).toEqual({
      once: false,
      check: false,
      interval: 5,
      id: 'web-01',
      name: 'Web-01',
      hub: 'https://hub.example:8443',
      caFingerprint: FP,
      token: null,
      stateDir: '/var/lib/tyto-agent',
      bufferMax: 100 * 1024 * 1024,
      procRoot: null,
      sysRoot: null,
      logFiles: [],
      logJournal: 'auto',
      logDocker: 'auto',
      logDockerSocket: '/var/run/docker.sock',
      logBufferMax: 100 * 1024 * 1024,
    });
    expect(
      parseArgs(
        [
          ...base,
          '--token',
          'tok_0123456789abcdef',
          '--id',
          'db-2',
          '--name',
          'Database',
          '--state-dir',
          '/tmp/s',
          '--buffer-max',
          '10M',
          '--interval',
          '10',
        ],
        { id: 'x' },
      ),
    ).toMatchObject({
      id: 'db-2',
      name: 'Database',
      token: 'tok_0123456789abcdef',
      stateDir: '/tmp/s',
      bufferMax: 10 * 1024 * 1024,
      interval: 10,
    });
  });

  it('reads the log flags, their TYTO_AGENT_LOG_* variables and the hub TYTO_LOG_* names under them', () => {
    expect(
      parseArgs(
        [
          ...base,
          '--log-files',
          '/var/log/nginx/*.log, /srv/app/app.jsonl',
          '--log-journal',
          'off',
          '--log-docker=on',
          '--log-buffer-max',
          '5M',
        ],
        { id: 'x' },
      ),
    ).toMatchObject({
      logFiles: ['/var/log/nginx/*.log', '/srv/app/app.jsonl'],
      logJournal: 'off',
      logDocker: 'on',
      logBufferMax: 5 * 1024 * 1024,
    });
    const env = parseArgs(
      base,
      { id: 'x' },
      {
        TYTO_AGENT_LOG_FILES: '/a.log',
        TYTO_LOG_FILES: '/ignored.log',
        TYTO_LOG_JOURNAL: 'false',
        TYTO_LOG_DOCKER_SOCKET: '/run/docker.sock',
      },
    );
    expect(env).toMatchObject({
      logFiles: ['/a.log'],
      logJournal: 'off',
      logDocker: 'auto',
      logDockerSocket: '/run/docker.sock',
    });
    const file = parseArgs(
      ['--config', '/etc/a.env', ...base],
      { id: 'x' },
      {},
      () => 'TYTO_LOG_FILES=/from/file.log\n',
    );
    expect(file.logFiles).toEqual(['/from/file.log']);
    for (const bad of [
      ['--log-files', 'relative.log'],
      ['--log-journal', 'sometimes'],
      ['--log-docker-socket', 'docker.sock'],
      ['--log-buffer-max', '1K'],
    ]) {
      expect(() => parseArgs([...base, ...bad], { id: 'x' })).toThrow(UsageError);
    }
  });

  it('takes TYTO_AGENT_* variables under flags, and a config file under both', () => {
    const file = `# written by install.sh\nTYTO_AGENT_HUB=https://file:8443\nTYTO_AGENT_CA_FINGERPRINT="${FP}"\nTYTO_AGENT_ID=from-file\n`;
    const opts = parseArgs(
      ['--config', '/etc/tyto-agent.env', '--id', 'from-flag'],
      { id: 'x' },
      { TYTO_AGENT_HUB: 'https://env:8443' },
      () => file,
    );
    expect(opts).toMatchObject({ hub: 'https://env:8443', caFingerprint: FP, id: 'from-flag' });
  });

  it('accepts the colon-separated fingerprint openssl prints', () => {
    const colons = `sha256:${Array.from({ length: 32 }, () => 'AB').join(':')}`;
    expect(
      parseArgs(['--hub', 'https://h:1', '--ca-fingerprint', colons], { id: 'x' }).caFingerprint,
    ).toBe(FP);
  });

  it.each([
    [['--interval', '0', ...base], /--interval must be/],
    [['--interval'], /needs a value/],
    [['--id', 'Bad_Id', ...base], /--id must be/],
    [['--verbose'], /unknown option '--verbose'/],
    [['--hub', 'http://h:8443', '--ca-fingerprint', FP], /--hub must be https/],
    [['--hub', 'https://h:8443'], /--ca-fingerprint is required/],
    [['--ca-fingerprint', FP], /--hub is required/],
    [['--hub', 'https://h', '--ca-fingerprint', 'sha1:abcd'], /--ca-fingerprint must be/],
    [[...base, '--buffer-max', '12'], /--buffer-max must be/],
    [[...base, '--state-dir', 'relative'], /--state-dir must be an absolute path/],
    [[...base, '--name', 'a\u0007b'], /control characters/],
  ])('refuses %j with a one-line message', (argv, message) => {
    expect(() => parseArgs(argv, { id: 'x' })).toThrow(UsageError);
    expect(() => parseArgs(argv, { id: 'x' })).toThrow(message);
  });

  it('refuses an unknown setting in the config file', () => {
    expect(() =>
      parseArgs(['--config', '/f'], { id: 'x' }, {}, () => 'TYTO_AGENT_HUBB=x\n'),
    ).toThrow(/unknown setting 'TYTO_AGENT_HUBB'/);
    expect(() => parseConfigFile('not a line', 'f')).toThrow(/f:1: expected KEY=VALUE/);
  });
});
