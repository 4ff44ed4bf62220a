import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KNOWN_VARIABLES } from './config';

// No Docker engine runs where the tests do, so the deployment files are checked as data: the
// compose file must parse, wire the hub to its database, and set only variables the hub reads.
const root = path.resolve(__dirname, '../../../..');

interface ComposeService {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml', () => {
  const compose = parseYaml(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const hub = compose.services['hub'];
  const db = compose.services['db'];

  it('builds the hub from the Dockerfile and publishes the UI port', () => {
    expect(hub.build).toBe('.');
    expect(hub.ports).toContain('8080:8080');
  });

  it('sets only TYTO_* variables the hub knows', () => {
    const names = Object.keys(hub.environment ?? {});
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !KNOWN_VARIABLES.has(n))).toEqual([]);
  });

  it('points the hub at the compose PostgreSQL and waits for it to be healthy', () => {
    const url = new URL(
      (hub.environment?.['TYTO_DATABASE_URL'] ?? '').replace(/\$\{[^}]+\}/g, 'x'),
    );
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('db');
    expect(url.pathname).toBe(`/${db.environment?.['POSTGRES_DB']}`);
    expect(hub.depends_on?.['db']?.condition).toBe('service_healthy');
    expect(db.healthcheck?.test).toContain('pg_isready');
  });

  it('probes the hub for readiness, which includes its database', () => {
    expect(hub.healthcheck?.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(hub.healthcheck?.test[3]).toContain("'http://127.0.0.1:8080/health/ready'");
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('runs the built hub as an unprivileged user with a health check', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*'http:\/\/127\.0\.0\.1:8080\/health\/ready'/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/api\/main\.js"\]$/m);
  });
});
