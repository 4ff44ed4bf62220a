import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createHub } from '../bootstrap';
import { createTestDatabase, type TestDatabase } from '../test/hub';
import { loadConfig } from './config';
import { createRootLogger, NestPinoLogger } from './logging';

/** A pino destination that keeps every line, parsed. */
function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('structured logs', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let base: string;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const config = loadConfig(
      { TYTO_DATA_DIR: db.dataDir, TYTO_LOG_LEVEL: 'info', TYTO_WEB_DIR: '' },
      null,
    );
    const out = capture();
    lines = out.lines;
    app = await createHub(config, await createRootLogger('info', 'json', out.stream));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const accessLines = () => lines.filter((l) => l['msg'] === 'request');

  it('prints the generated admin password once, on a line a person can find', () => {
    const found = lines.filter((l) =>
      String(l['msg']).startsWith("Created user 'admin' with generated password: "),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 40, context: 'UsersService' });
    expect(typeof found[0]['time']).toBe('string');
  });

  it('writes one access line per request with its route, status, duration, user and request id', async () => {
    const password = String(
      lines.find((l) => String(l['msg']).includes('generated password'))?.['msg'],
    ).split(': ')[1];
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: password.split(' ')[0] }),
    });
    expect(login.status).toBe(200);
    const { token, user } = (await login.json()) as { token: string; user: { id: string } };
    const from = new Date(Date.now() - 3600_000).toISOString();
    const res = await fetch(`${base}/api/v1/history?from=${from}&resolution=raw`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const line = accessLines().find((l) => l['req_id'] === id);
    expect(line).toMatchObject({
      level: 30,
      context: 'Http',
      method: 'GET',
      route: '/api/v1/history',
      status: 200,
      user_id: user.id,
    });
    expect(typeof line?.['duration_ms']).toBe('number');
    // Neither the query string nor any credential reaches the log.
    const all = JSON.stringify(lines);
    expect(all).not.toContain('resolution=raw');
    expect(all).not.toContain(token);
    expect(all).not.toContain(password.split(' ')[0] + '"');
  });

  it('keeps a request id a proxy sent when it looks like one, and replaces one that does not', async () => {
    const kept = await fetch(`${base}/api/v1/auth/me`, { headers: { 'x-request-id': 'lb-42.a' } });
    expect(kept.status).toBe(401);
    expect(kept.headers.get('x-request-id')).toBe('lb-42.a');
    const replaced = await fetch(`${base}/api/v1/auth/me`, {
      headers: { 'x-request-id': 'x'.repeat(65) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    expect(accessLines().find((l) => l['req_id'] === 'lb-42.a')).toMatchObject({
      status: 401,
      route: '/api/v1/auth/me',
    });
  });

  it('logs liveness probes at debug only, so they do not drown the info lines', async () => {
    const before = accessLines().length;
    const res = await fetch(`${base}/health`);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 50));
    expect(accessLines()).toHaveLength(before);
  });
});

describe('NestPinoLogger', () => {
  it('maps Nest’s levels and context onto pino, stack included', async () => {
    const out = capture();
    const logger = new NestPinoLogger((await createRootLogger('debug', 'json', out.stream)).pino);
    logger.log('hello', 'Auth');
    logger.error('boom', 'Error: boom\n    at x', 'Http');
    logger.warn({ msg: 'structured', extra: 1 }, 'Jobs');
    logger.log('Mapped {/x, GET} route', 'RouterExplorer');
    logger.verbose('very', 'Auth');
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(out.lines.map((l) => [l['level'], l['context'], l['msg']])).toEqual([
          [30, 'Auth', 'hello'],
          [50, 'Http', 'boom'],
          [40, 'Jobs', 'structured'],
          // Nest's wiring chatter is demoted to debug; trace (verbose) is below debug.
          [20, 'RouterExplorer', 'Mapped {/x, GET} route'],
        ]);
        expect(out.lines[1]['stack']).toContain('at x');
        expect(out.lines[2]['extra']).toBe(1);
        resolve();
      }),
    );
  });
});
