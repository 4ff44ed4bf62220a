import type { LogLine } from '@tyto/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerDemuxer, DockerReader, sortableTime } from './docker-reader';
import { LogStateStore } from './state';

/** One frame of the Engine API's multiplexed stream: type, three zero bytes, BE size, payload. */
function muxFrame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

interface FakeContainer {
  id: string;
  name: string;
  tty: boolean;
  /** Lines the engine holds: [RFC 3339 time, stream, text]. */
  lines: [string, 1 | 2, string][];
  followers: ServerResponse[];
}

/**
 * A Docker Engine API on a unix socket, as far as the reader uses it: the container list,
 * inspect, and following logs (with `since`, timestamps, multiplexed or raw for TTY).
 */
class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly logRequests: string[] = [];
  private server = http.createServer((req, res) => this.handle(req.url ?? '', res));

  constructor(readonly socketPath: string) {}

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  close(): Promise<void> {
    for (const c of this.containers.values()) for (const f of c.followers) f.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  add(id: string, name: string, tty = false): FakeContainer {
    const c: FakeContainer = { id, name, tty, lines: [], followers: [] };
    this.containers.set(id, c);
    return c;
  }

  /** A line written by the container now: sent to every follower, split over two writes. */
  log(c: FakeContainer, time: string, stream: 1 | 2, text: string): void {
    c.lines.push([time, stream, text]);
    for (const res of c.followers) this.send(c, res, time, stream, text);
  }

  private send(c: FakeContainer, res: ServerResponse, time: string, stream: 1 | 2, text: string) {
    const payload = `${time} ${text}\n`;
    if (c.tty) {
      res.write(payload);
      return;
    }
    const frame = muxFrame(stream, payload);
    // A frame cut in the middle of its header and its payload, as TCP may deliver it.
    res.write(frame.subarray(0, 5));
    res.write(frame.subarray(5));
  }

  private handle(url: string, res: ServerResponse): void {
    const u = new URL(url, 'http://docker');
    const json = (body: unknown) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname === '/containers/json') {
      json(
        [...this.containers.values()].map((c) => ({
          Id: c.id,
          Names: [`/${c.name}`],
          Image: 'nginx:1.27',
          State: 'running',
        })),
      );
      return;
    }
    const m = /^\/containers\/([^/]+)\/(json|logs)$/.exec(u.pathname);
    const c = m ? this.containers.get(decodeURIComponent(m[1])) : undefined;
    if (!m || !c) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"No such container"}');
      return;
    }
    if (m[2] === 'json') {
      json({ Id: c.id, Name: `/${c.name}`, Config: { Tty: c.tty } });
      return;
    }
    this.logRequests.push(`${c.name}?${u.searchParams.toString()}`);
    const since = Number(u.searchParams.get('since') ?? 0);
    res.writeHead(200, {
      'Content-Type': c.tty
        ? 'application/vnd.docker.raw-stream'
        : 'application/vnd.docker.multiplexed-stream',
    });
    for (const [time, stream, text] of c.lines) {
      if (Date.parse(time) / 1000 >= since) this.send(c, res, time, stream, text);
    }
    c.followers.push(res);
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(DockerReader.name, () => {
  let dir: string;
  let engine: FakeEngine;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-docker-'));
    engine = new FakeEngine(path.join(dir, 'docker.sock'));
    await engine.listen();
  });
  afterEach(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reader = (got: LogLine[]) =>
    new DockerReader({
      sink: (lines) => {
        got.push(...lines);
      },
      state: new LogStateStore(path.join(dir, 'state.json')),
      socketPath: engine.socketPath,
      scanMs: 50,
      flushMs: 10,
    });

  it('follows stdout and stderr of running and new containers, and resumes without repeats', async () => {
    const web = engine.add('a'.repeat(64), 'web');
    const old = new Date(Date.now() - 3_600_000).toISOString();
    engine.log(web, old, 1, 'from an hour ago, before the first start');
    const got: LogLine[] = [];
    const first = reader(got);
    first.start();
    await until(() => engine.logRequests.length === 1);
    const t1 = '2030-01-01T00:00:01.5Z';
    engine.log(web, t1, 1, 'GET / 200');
    engine.log(web, '2030-01-01T00:00:01.75Z', 2, 'ERROR upstream timed out');
    const worker = engine.add('b'.repeat(64), 'worker', true);
    engine.log(worker, '2030-01-01T00:00:02Z', 1, 'tty line');
    await until(() => got.length === 3);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'docker',
          source_name: 'web',
          message: 'GET / 200',
          timestamp: '2030-01-01T00:00:01.500Z',
          fields: { container_id: 'aaaaaaaaaaaa', image: 'nginx:1.27', stream: 'stdout' },
        }),
        expect.objectContaining({
          source_name: 'web',
          message: 'ERROR upstream timed out',
          level: 'error',
          fields: expect.objectContaining({ stream: 'stderr' }),
        }),
        expect.objectContaining({ source_name: 'worker', message: 'tty line' }),
      ]),
    );
    // The running one from now, the new one from its start.
    expect(engine.logRequests[0]).toMatch(/^web\?.*since=\d{10}/);
    expect(engine.logRequests[1]).toMatch(/^worker\?.*since=0$/);
    await first.close();

    // After a restart the engine replays from the saved second; lines already stored are skipped.
    engine.log(web, '2030-01-01T00:00:03Z', 1, 'while stopped');
    const again: LogLine[] = [];
    const second = reader(again);
    second.start();
    await until(() => again.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    await second.close();
    expect(again.map((l) => l.message)).toEqual(['while stopped']);
    expect(engine.logRequests.slice(2)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^web\?.*since=1893456001$/)]),
    );
  });

  it('reports an unreachable socket once and keeps trying', async () => {
    const reports: string[] = [];
    const r = new DockerReader({
      sink: () => undefined,
      state: new LogStateStore(null),
      socketPath: path.join(dir, 'missing.sock'),
      report: (m) => reports.push(m),
      scanMs: 20,
    });
    r.start();
    await new Promise((res) => setTimeout(res, 200));
    await r.close();
    expect(reports).toEqual([expect.stringMatching(/^docker: cannot list containers/)]);
  });
});

describe(DockerDemuxer.name, () => {
  it('splits frames arriving byte by byte', () => {
    const out: string[] = [];
    const d = new DockerDemuxer(true, (s, b) => out.push(`${s}:${b.toString()}`));
    const bytes = Buffer.concat([muxFrame(1, 'out\n'), muxFrame(2, 'err\n')]);
    for (const b of bytes) d.push(Buffer.from([b]));
    expect(out).toEqual(['stdout:out\n', 'stderr:err\n']);
  });

  it('sorts Docker times with trimmed fractions correctly', () => {
    expect(
      sortableTime('2030-01-01T00:00:01.5Z') > sortableTime('2030-01-01T00:00:01.123456789Z'),
    ).toBe(true);
  });
});
