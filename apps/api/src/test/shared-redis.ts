import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import IORedis from 'ioredis';

/** The Redis the tests share (CI and dev machines run one on loopback). */
export const TEST_REDIS_URL = process.env['TYTO_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix of its own for one test run (`<base>:<random>:`), so runs sharing the server
 * never meet; the base is TYTO_TEST_REDIS_PREFIX or `tyto-test`.
 */
export function testRedisPrefix(): string {
  const base = process.env['TYTO_TEST_REDIS_PREFIX'] ?? 'tyto-test';
  return `${base}:${randomBytes(6).toString('hex')}:`;
}

/** Keys under the prefix (SCAN, never KEYS). */
export async function redisKeys(prefix: string): Promise<string[]> {
  const client = new IORedis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under the prefix (never FLUSH*); resolves to how many there were. */
export async function dropRedisKeys(prefix: string): Promise<number> {
  const keys = await redisKeys(prefix);
  if (keys.length === 0) return 0;
  const client = new IORedis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  } finally {
    client.disconnect();
  }
  return keys.length;
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * A loopback TCP relay to the test Redis: `url` reaches Redis through it until `cut()`, which
 * closes the relay and every connection through it, so a hub sees Redis go away.
 */
export async function redisRelay(): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(TEST_REDIS_URL);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(target.port || 6379), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(TEST_REDIS_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
