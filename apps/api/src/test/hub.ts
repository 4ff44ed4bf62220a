import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createHub } from '../bootstrap';
import { loadConfig, type TytoConfig } from '../common/config';

export type DbKind = 'sqlite' | 'postgres';
export const DB_KINDS: DbKind[] = ['sqlite', 'postgres'];

/** PostgreSQL server the tests use (CI and dev machines run one on loopback with trust auth). */
export const PG_ADMIN_URL =
  process.env['TYTO_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const ADMIN_PASSWORD = 'correct-horse-battery';

export interface TestDatabase {
  databaseUrl: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind: a temp SQLite dir, or a new PostgreSQL database. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-test-'));
  if (kind === 'sqlite') {
    return {
      databaseUrl: null,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `tyto_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestHub {
  app: INestApplication;
  baseUrl: string;
  config: TytoConfig;
  close(): Promise<void>;
  /** Logs in and returns the bearer token. */
  login(username?: string, password?: string): Promise<string>;
  fetch(
    pathname: string,
    init?: RequestInit & { token?: string; json?: unknown },
  ): Promise<Response>;
}

/**
 * Boots a real hub (full Nest app, real database, real collector) on a loopback port. Given a
 * database, it boots on that one (a restart) and `close()` leaves it for the caller to drop.
 */
export async function startHub(
  kind: DbKind,
  env: Record<string, string> = {},
  existing?: TestDatabase,
): Promise<TestHub> {
  const db = existing ?? (await createTestDatabase(kind));
  const config = loadConfig(
    {
      TYTO_DATA_DIR: db.dataDir,
      TYTO_DATABASE_URL: db.databaseUrl ?? '',
      TYTO_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TYTO_LOG_LEVEL: 'error',
      TYTO_SAMPLE_INTERVAL: '1',
      TYTO_WEB_DIR: '',
      // Every test hub gets its own free agent-listener port on loopback.
      TYTO_AGENT_PORT: '0',
      TYTO_HOST: '127.0.0.1',
      ...env,
    },
    null,
  );
  const app = await createHub(config);
  // A random port unless the test needs a known one (an OIDC redirect URI registered in advance).
  await app.listen(env['TYTO_PORT'] ? config.port : 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const hubFetch: TestHub['fetch'] = (pathname, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(baseUrl + pathname, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
  return {
    app,
    baseUrl,
    config,
    fetch: hubFetch,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const res = await hubFetch('/api/v1/auth/login', {
        method: 'POST',
        json: { username, password },
      });
      if (res.status !== 200)
        throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async close() {
      // A response a test never read (a large body left in the socket) keeps its connection
      // busy, and the server's close would wait for it until the hook times out.
      const server = app.getHttpServer() as Server;
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      if (!existing) await db.drop();
    },
  };
}

/** Reads an SSE response until `count` events of the given type arrived (or the timeout). */
export async function readSseEvents(
  res: Response,
  type: string,
  count: number,
  timeoutMs = 15000,
): Promise<unknown[]> {
  if (!res.body) throw new Error('no body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (events.length < count && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        // Running out of time ends the read with what arrived; callers assert on the count.
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(
            () => resolve({ done: true, value: undefined }),
            Math.max(1, deadline - Date.now()),
          ),
        ),
      ]);
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const lines = block.split('\n');
        const ev = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (ev === type) events.push(JSON.parse(data));
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}
