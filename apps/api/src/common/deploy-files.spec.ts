import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isPlaceholderSecret, KNOWN_VARIABLES, loadConfig } from './config';

// No Docker engine runs where the tests do, so the deployment files are checked as data: the
// compose files must parse, wire the hubs to their database (and Redis, proxy), keep secrets
// out of the files, and set only variables the hub reads. Where the docker client has the
// compose plugin (or `docker-compose` is installed), Compose itself checks them, too.
const root = path.resolve(__dirname, '../../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
// Compose reads anchors and merge keys (`<<: *hub`) as YAML 1.1 does.
const yaml = <T>(file: string) => parseYaml(read(file), { merge: true }) as T;

interface ComposeService {
  build?: string;
  image?: string;
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.ha.yml'];
const SECRET_NAME = /PASSWORD|PASSPHRASE|SECRET|TOKEN/;
/** The agent listener's port when TYTO_AGENT_PORT is unset. */
const AGENT_PORT = loadConfig({ TYTO_DATA_DIR: tmpdir() }, null).agentPort;

/** `${NAME…}` interpolations in a text: name, operator (`:-`, `:?`, …) and the word after it. */
function interpolations(text: string): { name: string; op: string; word: string }[] {
  return [...text.matchAll(/\$\{(\w+)(?:(:?[-?+])([^}]*))?\}/g)].map((m) => ({
    name: m[1],
    op: m[2] ?? '',
    word: m[3] ?? '',
  }));
}

/** Keys of a KEY=VALUE env file, with their values. */
function envFile(file: string): Record<string, string> {
  return Object.fromEntries(
    read(file)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const hubsOf = (c: Compose) =>
  Object.entries(c.services).filter(([, s]) => s.image === 'tyto-hub:latest');

describe.each(COMPOSE_FILES)('%s', (file) => {
  const compose = yaml<Compose>(file);
  const hubs = hubsOf(compose);
  const db = compose.services['db'];

  it('runs at least one hub built from the Dockerfile, with the data dir on a named volume', () => {
    expect(hubs.length).toBeGreaterThan(0);
    for (const [, hub] of hubs) {
      expect(hub.build).toBe('.');
      const data = hub.volumes?.find((v) => v.endsWith(':/var/lib/tyto'));
      expect(data && compose.volumes).toHaveProperty(data?.split(':')[0] ?? '-');
      expect(hub.volumes).toEqual(
        expect.arrayContaining(['/proc:/host/proc:ro', '/sys:/host/sys:ro']),
      );
      expect(hub.environment).toMatchObject({
        TYTO_PROC_ROOT: '/host/proc',
        TYTO_SYS_ROOT: '/host/sys',
      });
    }
  });

  it('sets only TYTO_* variables the hub knows, here and in .env.example', () => {
    const names = [
      ...hubs.flatMap(([, h]) => Object.keys(h.environment ?? {})),
      ...Object.keys(envFile('.env.example')),
    ].filter((n) => n.startsWith('TYTO_'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !KNOWN_VARIABLES.has(n))).toEqual([]);
  });

  it('takes the hub settings from .env, which git and the image build leave out', () => {
    for (const [, hub] of hubs) expect(hub.env_file).toBe('.env');
    expect(existsSync(path.join(root, '.env.example'))).toBe(true);
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('holds no secret: every one is required from .env, none has a default', () => {
    const text = read(file);
    const secrets = interpolations(text).filter((i) => SECRET_NAME.test(i.name));
    expect(secrets.length).toBeGreaterThan(0);
    // `${X:?message}`: Compose stops while X is unset or empty; `${X:-change-me}` is what this forbids.
    expect(secrets.filter((i) => i.op !== ':?')).toEqual([]);
    for (const service of Object.values(compose.services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        const literal = value.replace(/\$\{[^}]*\}/g, '');
        if (SECRET_NAME.test(name)) expect({ name, literal }).toEqual({ name, literal: '' });
        // A password inside a URL comes from an interpolation too.
        const m = /^\w+:\/\/[^:/@]*:([^@]*)@/.exec(value);
        if (m)
          expect({ name, password: m[1] }).toEqual({
            name,
            password: expect.stringMatching(/^\$\{\w+:\?[^}]*\}$/),
          });
        if (literal !== '')
          expect({ name, placeholder: isPlaceholderSecret(literal) }).toEqual({
            name,
            placeholder: false,
          });
      }
    }
  });

  it('runs PostgreSQL with a healthcheck and a named volume, and the hubs wait for it', () => {
    expect(db.image).toMatch(/^postgres:\d+/);
    expect(db.healthcheck?.test).toContain('pg_isready');
    const volume = db.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(compose.volumes).toHaveProperty(volume?.split(':')[0] ?? '-');
    expect(db.ports).toBeUndefined();
    for (const [, hub] of hubs) {
      const url = new URL(
        (hub.environment?.['TYTO_DATABASE_URL'] ?? '').replace(/\$\{[^}]+\}/g, 'x'),
      );
      expect(url.protocol).toBe('postgres:');
      expect(url.hostname).toBe('db');
      expect(url.username).toBe(db.environment?.['POSTGRES_USER']);
      expect(url.pathname).toBe(`/${db.environment?.['POSTGRES_DB']}`);
      expect(hub.depends_on?.['db']?.condition).toBe('service_healthy');
    }
  });

  it('probes each hub for readiness, which includes its database', () => {
    for (const [, hub] of hubs) {
      expect(hub.healthcheck?.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(hub.healthcheck?.test[3]).toContain("'http://127.0.0.1:8080/health/ready'");
    }
  });
});

describe('docker-compose.yml (one hub)', () => {
  const hub = yaml<Compose>('docker-compose.yml').services['hub'];

  it('publishes the UI and the agent port', () => {
    expect(hub.ports).toEqual(['8080:8080', `${AGENT_PORT}:${AGENT_PORT}`]);
  });
});

describe('docker-compose.ha.yml (replicas)', () => {
  const compose = yaml<Compose>('docker-compose.ha.yml');
  const hubs = hubsOf(compose);
  const redis = compose.services['redis'];
  const proxy = compose.services['proxy'];
  const dynamic = yaml<TraefikDynamic>('deploy/traefik/dynamic.yml');

  it('runs two replicas with distinct ids on one Redis, reachable only through the proxy', () => {
    expect(hubs.map(([name]) => name)).toEqual(['hub-1', 'hub-2']);
    const ids = hubs.map(([, h]) => h.environment?.['TYTO_REPLICA_ID']);
    expect(new Set(ids).size).toBe(2);
    for (const [, hub] of hubs) {
      const url = new URL((hub.environment?.['TYTO_REDIS_URL'] ?? '').replace(/\$\{[^}]+\}/g, 'x'));
      expect(url.protocol).toBe('redis:');
      expect(url.hostname).toBe('redis');
      expect(hub.depends_on?.['redis']?.condition).toBe('service_healthy');
      expect(hub.ports).toBeUndefined();
      expect(hub.environment?.['TYTO_TRUST_PROXY']).toBe('1');
      expect(hub.environment?.['TYTO_COOKIE_SECURE']).toBe('true');
    }
    // One prefix for the cluster: the replicas must meet on the same keys and channels.
    expect(new Set(hubs.map(([, h]) => h.environment?.['TYTO_REDIS_PREFIX'])).size).toBe(1);
  });

  it('gives every replica the same agent CA, created once by the first', () => {
    const pki = hubs.map(([, h]) => h.volumes?.find((v) => v.endsWith(':/var/lib/tyto/pki')));
    expect(pki[0]).toBeDefined();
    expect(new Set(pki).size).toBe(1);
    const data = hubs.map(([, h]) => h.volumes?.find((v) => v.endsWith(':/var/lib/tyto')));
    expect(new Set(data).size).toBe(2);
    expect(compose.services['hub-2'].depends_on?.['hub-1']?.condition).toBe('service_healthy');
  });

  it('runs Redis with a password, a healthcheck and nothing persisted', () => {
    expect(redis.image).toMatch(/^redis:\d+/);
    expect(redis.command).toEqual(expect.arrayContaining(['--requirepass']));
    expect(redis.command?.[redis.command.indexOf('--requirepass') + 1]).toMatch(
      /^\$\{REDIS_PASSWORD:\?/,
    );
    expect(redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    expect(redis.ports).toBeUndefined();
  });

  it('puts Traefik in front: HTTPS for browsers, the agent port passed through', () => {
    expect(proxy.image).toMatch(/^traefik:v3(\.|$)/);
    expect(proxy.ports).toEqual(expect.arrayContaining(['443:443', `${AGENT_PORT}:${AGENT_PORT}`]));
    const flags = proxy.command ?? [];
    expect(flags).toContain(`--entrypoints.agents.address=:${AGENT_PORT}`);
    expect(flags).toContain('--entrypoints.websecure.address=:443');
    expect(flags).toContain('--providers.file.filename=/etc/traefik/dynamic.yml');
    expect(proxy.volumes).toContain('./deploy/traefik/dynamic.yml:/etc/traefik/dynamic.yml:ro');
  });

  it('keeps live streams open: no whole-connection read deadline on either entry point', () => {
    const flags = proxy.command ?? [];
    for (const ep of ['websecure', 'agents']) {
      expect(flags).toContain(`--entrypoints.${ep}.transport.respondingTimeouts.readTimeout=0s`);
      expect(flags).toContain(`--entrypoints.${ep}.transport.respondingTimeouts.writeTimeout=0s`);
    }
  });

  it('routes every Server-Sent Events path to an unbuffered service', () => {
    const openapi = JSON.parse(read('docs/openapi.json')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const ssePaths = Object.entries(openapi.paths)
      .filter(([, ops]) => JSON.stringify(ops['get'] ?? {}).includes('text/event-stream'))
      .map(([p]) => p);
    expect(ssePaths.length).toBeGreaterThanOrEqual(3);
    const streams = dynamic.http.routers['tyto-streams'];
    for (const p of ssePaths) expect(streams.rule).toContain(`Path(\`${p}\`)`);
    expect(streams.priority).toBeGreaterThan(dynamic.http.routers['tyto'].priority ?? 0);
    const service = dynamic.http.services[streams.service].loadBalancer;
    expect(service.responseForwarding?.flushInterval).toMatch(/^-/);
  });

  it('balances HTTP over both replicas, each dropped while not ready', () => {
    for (const router of Object.values(dynamic.http.routers)) {
      expect(router.entryPoints).toEqual(['websecure']);
      expect(router.tls).toBeDefined();
      const lb = dynamic.http.services[router.service].loadBalancer;
      expect(lb.servers.map((s) => s.url)).toEqual(hubs.map(([n]) => `http://${n}:8080`));
      expect(lb.healthCheck?.path).toBe('/health/ready');
    }
  });

  it('passes the agent port through as raw TCP to every replica (mutual TLS ends at the hub)', () => {
    const routers = Object.values(dynamic.tcp.routers);
    expect(routers).toHaveLength(1);
    const [agents] = routers;
    expect(agents.entryPoints).toEqual(['agents']);
    expect(agents.rule).toBe('HostSNI(`*`)');
    expect(agents.tls?.passthrough).toBe(true);
    expect(dynamic.tcp.services[agents.service].loadBalancer.servers.map((s) => s.address)).toEqual(
      hubs.map(([n]) => `${n}:${AGENT_PORT}`),
    );
  });

  it('serves the certificate from the git-ignored certs directory', () => {
    const cert = dynamic.tls.stores.default.defaultCertificate;
    expect(cert.certFile.startsWith('/etc/traefik/certs/')).toBe(true);
    expect(proxy.volumes).toContain('./deploy/traefik/certs:/etc/traefik/certs:ro');
    expect(read('.gitignore').split('\n')).toContain('deploy/traefik/certs/');
  });
});

interface TraefikDynamic {
  http: {
    routers: Record<
      string,
      { entryPoints: string[]; rule: string; service: string; priority?: number; tls?: object }
    >;
    services: Record<
      string,
      {
        loadBalancer: {
          servers: { url: string }[];
          healthCheck?: { path: string };
          responseForwarding?: { flushInterval: string };
        };
      }
    >;
  };
  tcp: {
    routers: Record<
      string,
      { entryPoints: string[]; rule: string; service: string; tls?: { passthrough?: boolean } }
    >;
    services: Record<string, { loadBalancer: { servers: { address: string }[] } }>;
  };
  tls: { stores: { default: { defaultCertificate: { certFile: string; keyFile: string } } } };
}

describe('.env.example', () => {
  it('leaves every secret empty, to be filled in', () => {
    const env = envFile('.env.example');
    const secrets = Object.entries(env).filter(([k]) => SECRET_NAME.test(k));
    expect(secrets.map(([k]) => k)).toEqual(
      expect.arrayContaining(['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'TYTO_ADMIN_PASSWORD']),
    );
    expect(secrets.filter(([, v]) => v !== '')).toEqual([]);
  });

  it('names every variable the compose files interpolate', () => {
    const env = envFile('.env.example');
    const used = COMPOSE_FILES.flatMap((f) => interpolations(read(f)).map((i) => i.name));
    expect([...new Set(used)].filter((n) => !(n in env))).toEqual([]);
  });
});

// Compose's own reading of the files: the docker client's compose plugin where it has one, else
// the standalone `docker-compose` (Debian's package, which CI installs); otherwise the skip says why.
function findCompose(): { cmd: string[]; missing: null } | { cmd: null; missing: string } {
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (plugin.error === undefined && plugin.status === 0)
    return { cmd: ['docker', 'compose'], missing: null };
  const standalone = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (standalone.error === undefined && standalone.status === 0)
    return { cmd: ['docker-compose'], missing: null };
  const why =
    plugin.error !== undefined
      ? `docker is not installed (${plugin.error.message})`
      : `the docker client has no compose plugin (${(plugin.stderr || plugin.stdout).trim().split('\n')[0]})`;
  return { cmd: null, missing: `${why}, and there is no docker-compose` };
}
const { cmd: composeCmd, missing: composeMissing } = findCompose();
if (composeMissing) {
  // Visible in every run's output, beside the skipped tests.
  console.warn(`deploy-files: skipping 'docker compose config': ${composeMissing}`);
}

(composeMissing ? describe.skip : describe)('docker compose config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-compose-'));
    for (const f of COMPOSE_FILES) copyFileSync(path.join(root, f), path.join(dir, f));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (file: string, env: Record<string, string>) => {
    writeFileSync(
      path.join(dir, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const [bin, ...args] = composeCmd ?? ['docker', 'compose'];
    return spawnSync(bin, [...args, '-f', file, 'config', '-q'], {
      cwd: dir,
      encoding: 'utf8',
    });
  };
  const secret = () => randomBytes(16).toString('hex');

  it.each(COMPOSE_FILES)('accepts %s with every secret set', (file) => {
    const r = config(file, { POSTGRES_PASSWORD: secret(), REDIS_PASSWORD: secret() });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it.each(COMPOSE_FILES)('refuses %s while POSTGRES_PASSWORD is empty', (file) => {
    const r = config(file, { POSTGRES_PASSWORD: '', REDIS_PASSWORD: secret() });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('set POSTGRES_PASSWORD in .env');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs the built hub as an unprivileged user with a health check', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*'http:\/\/127\.0\.0\.1:8080\/health\/ready'/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/api\/main\.js"\]$/m);
  });

  it('exposes the UI and agent ports and owns the pki directory a volume may mount', () => {
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE 8080 ${AGENT_PORT}$`, 'm'));
    expect(dockerfile).toMatch(
      /mkdir -p \/var\/lib\/tyto\/pki && chown -R node:node \/var\/lib\/tyto/,
    );
  });
});
