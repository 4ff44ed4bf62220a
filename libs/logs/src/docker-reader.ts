import type { LogLine } from '@tyto/contracts';
import http, { type IncomingMessage } from 'node:http';
import { LineSplitter, type RawLine } from './line';
import { parseTextLine } from './parse';
import type { LogStateStore } from './state';
import { BATCH_LINES, reportOnce, type LogReader, type LogReport, type LogSink } from './types';

export interface DockerReaderOptions {
  sink: LogSink;
  state: LogStateStore;
  report?: LogReport;
  /** The Engine API socket. */
  socketPath?: string;
  /** How often the container list is read to pick up new containers. */
  scanMs?: number;
  flushMs?: number;
}

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const STATE_PREFIX = 'docker:';

interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
}

interface Followed {
  id: string;
  name: string;
  req: http.ClientRequest;
}

/** Docker's RFC 3339 times drop trailing zeros of the fraction: pad them so they sort as text. */
export function sortableTime(ts: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}${m[3]}`;
}

/**
 * Splits the Engine API's multiplexed log stream (8-byte header per frame: stream type 1 stdout
 * / 2 stderr, three zero bytes, big-endian payload size) into per-stream byte chunks. A TTY
 * container's stream is raw (no headers): everything is stdout.
 */
export class DockerDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly multiplexed: boolean,
    private readonly onChunk: (stream: 'stdout' | 'stderr', bytes: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    if (!this.multiplexed) {
      this.onChunk('stdout', chunk);
      return;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const type = this.buf[0];
      const payload = this.buf.subarray(8, 8 + size);
      // 0 is stdin (never sent for logs); 3 is the daemon's own error for the stream.
      this.onChunk(type === 2 || type === 3 ? 'stderr' : 'stdout', payload);
      this.buf = this.buf.subarray(8 + size);
    }
  }
}

/**
 * Every running container's stdout and stderr through the Engine API on its unix socket,
 * source_name the container name. The container list is read every few seconds so new
 * containers are picked up (from their first line); a container already running at the first
 * start is followed from now. The last timestamp seen per container is saved, so a restart goes
 * on from there without repeating lines.
 */
export class DockerReader implements LogReader {
  private readonly followed = new Map<string, Followed>();
  private readonly report: LogReport;
  private readonly socketPath: string;
  private timer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private pending: { id: string; ts: string | null; line: LogLine }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private firstScan = true;
  private closed = false;

  constructor(private readonly opts: DockerReaderOptions) {
    this.report = reportOnce(opts.report ?? (() => undefined));
    this.socketPath = opts.socketPath ?? DEFAULT_DOCKER_SOCKET;
  }

  start(): void {
    void this.scanLoop();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const f of this.followed.values()) f.req.destroy();
    this.followed.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.flush();
  }

  private async scanLoop(): Promise<void> {
    if (this.closed) return;
    try {
      await this.scan();
    } catch (e) {
      this.report(`docker: cannot list containers on ${this.socketPath}: ${(e as Error).message}`);
    }
    if (this.closed) return;
    this.timer = setTimeout(() => void this.scanLoop(), this.opts.scanMs ?? 2000);
    this.timer.unref();
  }

  private async scan(): Promise<void> {
    const list = await this.getJson<ContainerSummary[]>('/containers/json');
    const first = this.firstScan;
    this.firstScan = false;
    for (const c of list) {
      if (this.closed || this.followed.has(c.Id)) continue;
      const inspect = await this.getJson<{ Config?: { Tty?: boolean } }>(
        `/containers/${encodeURIComponent(c.Id)}/json`,
      );
      const name = (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
      this.follow(c, name, inspect.Config?.Tty === true, first);
    }
  }

  private follow(c: ContainerSummary, name: string, tty: boolean, atStart: boolean): void {
    const saved = this.opts.state.get<string>(STATE_PREFIX + c.Id);
    // `since` is whole seconds: lines of that second already stored are skipped below.
    const since = saved
      ? Math.floor(Date.parse(saved) / 1000)
      : atStart
        ? Math.floor(Date.now() / 1000)
        : 0;
    const query = `follow=1&stdout=1&stderr=1&timestamps=1&since=${since}`;
    const req = http.get({
      socketPath: this.socketPath,
      path: `/containers/${encodeURIComponent(c.Id)}/logs?${query}`,
    });
    const f: Followed = { id: c.Id, name, req };
    this.followed.set(c.Id, f);
    const extra = { container_id: c.Id.slice(0, 12), ...(c.Image ? { image: c.Image } : {}) };
    const done = () => {
      if (this.followed.get(c.Id) === f) this.followed.delete(c.Id);
    };
    req.on('error', (e) => {
      if (!this.closed) this.report(`docker: logs of ${name}: ${e.message}`);
      done();
    });
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        this.report(`docker: logs of ${name}: HTTP ${res.statusCode}`);
        res.resume();
        done();
        return;
      }
      const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      const onRaw = (stream: 'stdout' | 'stderr', raw: RawLine) => {
        const text = raw.bytes;
        const sp = text.indexOf(0x20);
        const ts = sp > 0 ? text.subarray(0, sp).toString('latin1') : '';
        const valid = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(ts);
        const body: RawLine = valid ? { ...raw, bytes: text.subarray(sp + 1) } : raw;
        const sortable = valid ? sortableTime(ts) : null;
        if (sortable && saved && sortable <= sortableTime(saved)) return;
        const iso = valid ? new Date(Date.parse(ts)).toISOString() : undefined;
        const line = parseTextLine(body, 'docker', name, new Date(), { ...extra, stream }, iso);
        this.pending.push({ id: c.Id, ts: valid ? ts : null, line });
        if (this.pending.length >= BATCH_LINES) this.flushSoon(0);
        else this.flushSoon(this.opts.flushMs ?? 200);
      };
      // The content type says which format, from API 1.42; a TTY container is raw before that.
      const type = String(res.headers['content-type'] ?? '');
      const multiplexed = type.includes('raw-stream')
        ? false
        : type.includes('multiplexed') || !tty;
      const demux = new DockerDemuxer(multiplexed, (stream, bytes) => {
        for (const raw of splitters[stream].push(bytes)) onRaw(stream, raw);
      });
      res.on('data', (chunk: Buffer) => demux.push(chunk));
      res.on('end', () => {
        for (const stream of ['stdout', 'stderr'] as const) {
          const tail = splitters[stream].end();
          if (tail) onRaw(stream, tail);
        }
        this.flushSoon(0);
        done();
      });
      res.on('error', done);
    });
  }

  private flushSoon(ms: number): void {
    if (this.flushTimer && ms > 0) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, ms);
    this.flushTimer.unref();
  }

  private flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, BATCH_LINES);
        try {
          await this.opts.sink(batch.map((b) => b.line));
        } catch (e) {
          this.report(`docker: storing lines failed: ${(e as Error).message}`);
          return;
        }
        for (const b of batch) if (b.ts) this.opts.state.set(STATE_PREFIX + b.id, b.ts);
        this.opts.state.save();
      }
    });
    return this.chain;
  }

  private getJson<T>(pathname: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: this.socketPath, path: pathname }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${pathname}: HTTP ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    });
  }
}
