import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { fixtureText } from './fixtures';

const NGINX = 'a1b2c3d4e5f6';
const PG = 'f0e1d2c3b4a5';

/**
 * A stand-in Docker engine: node:http on a unix socket replaying recorded API responses.
 * `stats` answers come from a per-container queue so consecutive refreshes see new counters.
 */
export class ReplayEngine {
  readonly requests: string[] = [];
  list = 'containers.json';
  failWith: number | null = null;
  private readonly statsQueue = new Map<string, string[]>([
    [NGINX, [`stats-${NGINX}-1.json`, `stats-${NGINX}-2.json`]],
    [PG, [`stats-${PG}-1.json`]],
  ]);
  private server: Server | null = null;

  async listen(socketPath: string): Promise<void> {
    this.server = createServer((req, res) => {
      const url = req.url ?? '';
      this.requests.push(url);
      const send = (status: number, file: string): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.45' });
        res.end(fixtureText('docker', file));
      };
      if (this.failWith) return send(this.failWith, 'error-500.json');
      if (url === '/containers/json?all=1') return send(200, this.list);
      const m = /^\/containers\/([0-9a-f]{64})\/(json|stats\?stream=false&one-shot=true)$/.exec(
        url,
      );
      if (!m) return send(404, 'error-500.json');
      const short = m[1].slice(0, 12);
      if (m[2] === 'json') return send(200, `inspect-${short}.json`);
      const queue = this.statsQueue.get(short) ?? [];
      return send(200, queue.length > 1 ? (queue.shift() as string) : queue[0]);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
