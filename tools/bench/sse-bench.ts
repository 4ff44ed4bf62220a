/**
 * SSE fan-out: N clients on the hub's GET /api/v1/stream (TYTO_SAMPLE_INTERVAL=1) against a bare
 * node:http SSE server that re-sends a real sample captured from the hub once per second
 * (serialised once per tick, the same bytes written to every client). Measured from outside:
 * CPU % of one core (/proc/PID/stat over the window), RSS (/proc/PID/status) before connecting,
 * with everyone connected and at the end, events received per client, and the size of a live
 * sample as JSON, with a shared deflate context (permessage-deflate) and gzipped on its own.
 *
 *   node tools/build/build-node.mjs tools/bench/sse-bench.ts dist/tools/sse-bench.js \
 *     apps/api/tsconfig.app.json && node dist/tools/sse-bench.js
 *
 * Options: --clients 1000  --duration 60 (s measured)  --runs 3  --settle 10 (s idle before the
 *          "before" RSS)  --procs N (client processes, default 1 per 500 clients, 2–4)
 *          --batch 100 (connections opened at once per client process)
 *          --hold N: held-connections mode, N connections (default duration 30 s, 1 run, batches
 *          of 200, 4 client processes), reports RSS held against 400 MB
 *          --hub dist/apps/api/main.js  --web DIR|none  --pg [URL]  (as in http-bench)
 *
 * Every connection is a file descriptor in the hub and in a client process: for --hold 10000 the
 * shell needs `ulimit -n 65536` (or at least clients + a few hundred) before the run.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import {
  childRole,
  cpuMeter,
  describeHub,
  exitWithParent,
  forkRole,
  freePort,
  HUB_FLAGS,
  hubFromCli,
  login,
  markdownTable,
  median,
  nextMessage,
  onCleanup,
  openFileLimit,
  parseCli,
  printHeader,
  ratio,
  round,
  rssMb,
  runMain,
  sleep,
  spread,
  startHub,
  stopChild,
} from './bench-kit';

const STREAM_PATH = '/api/v1/stream';
const INTERVAL_S = 1;
const RSS_TARGET_MB = 400;
const JSON_TARGET = 4096;
const COMPRESSED_TARGET = 2048;

// ---------------------------------------------------------------------------------------------
// SSE parsing (shared by the sample capture and the client processes)

/** Incremental `text/event-stream` parser: calls onEvent(type, data) at each blank line. */
class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private event = '';
  private data: string[] = [];
  private hasData = false;

  constructor(
    private readonly onEvent: (type: string, data: string | null) => void,
    /** Keep the data (else only the event type is reported). */
    private readonly keepData: boolean,
  ) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text, start, end);
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) {
      if (this.hasData || this.event) {
        this.onEvent(this.event || 'message', this.keepData ? this.data.join('\n') : null);
      }
      this.event = '';
      this.data = [];
      this.hasData = false;
      return;
    }
    if (text.charCodeAt(start) === 58) return; // ':' comment (heartbeat)
    const colon = text.indexOf(':', start);
    const fieldEnd = colon < 0 || colon > end ? end : colon;
    const field = text.slice(start, fieldEnd);
    let vStart = fieldEnd < end ? fieldEnd + 1 : end;
    if (text.charCodeAt(vStart) === 32 && vStart < end) vStart++;
    if (field === 'event') this.event = text.slice(vStart, end);
    else if (field === 'data') {
      this.hasData = true;
      if (this.keepData) this.data.push(text.slice(vStart, end));
    }
  }
}

/** One `event: metrics` data string from the hub (what the bare server then re-sends). */
function captureSample(base: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${STREAM_PATH}`, {
      agent: false,
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    const timer = setTimeout(() => req.destroy(new Error('no metrics event within 20 s')), 20_000);
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        req.destroy();
        reject(new Error(`GET ${STREAM_PATH}: HTTP ${res.statusCode}`));
        return;
      }
      const parser = new SseParser((type, data) => {
        if (type === 'metrics' && data) {
          clearTimeout(timer);
          req.destroy();
          resolve(data);
        }
      }, true);
      res.on('data', (c: Buffer) => parser.push(c));
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Child roles: the bare SSE server and the client processes

function bareSseServer(port: number, sampleFile: string): void {
  exitWithParent();
  const sample = JSON.parse(readFileSync(sampleFile, 'utf8')) as unknown;
  const clients = new Set<http.ServerResponse>();
  const frame = () => Buffer.from(`event: metrics\ndata: ${JSON.stringify(sample)}\n\n`);
  let latest = frame();
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== STREAM_PATH) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // Like the hub: the newest sample first, then one per tick.
    res.write(latest);
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  server.listen(port, '127.0.0.1', () => process.send?.({ type: 'ready' }));
  setInterval(() => {
    latest = frame();
    for (const c of clients) c.write(latest);
  }, INTERVAL_S * 1000);
}

interface ConnectMsg {
  type: 'connect';
  url: string;
  token: string;
  count: number;
  batch: number;
  /** Keep the data of the first client's metrics events (for the sample sizes). */
  keepSamples: boolean;
}
interface ConnectedMsg {
  type: 'connected';
  ok: number;
  failed: number;
  errors: Record<string, number>;
  ms: number;
}
interface ReportMsg {
  type: 'report';
  /** Metrics events per client inside the window (in connection order). */
  metrics: number[];
  /** Other event types (all clients together). */
  other: Record<string, number>;
  bytes: number;
  /** Clients still open at the stop. */
  open: number;
  /** Clients that closed or errored after connecting. */
  dropped: number;
  errors: Record<string, number>;
  samples: string[];
}

function sseClients(): void {
  exitWithParent();
  interface Conn {
    metrics: number;
    open: boolean;
    req: http.ClientRequest;
  }
  const conns: Conn[] = [];
  const errors: Record<string, number> = {};
  const other: Record<string, number> = {};
  const samples: string[] = [];
  let counting = false;
  let bytes = 0;
  let dropped = 0;
  const noteError = (e: NodeJS.ErrnoException) => {
    const key = e.code ?? e.message.slice(0, 60);
    errors[key] = (errors[key] ?? 0) + 1;
  };

  const open = (url: string, token: string, keep: boolean) =>
    new Promise<boolean>((resolve) => {
      const req = http.get(url, {
        agent: false,
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      });
      const conn: Conn = { metrics: 0, open: false, req };
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => {
        noteError(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }));
        req.destroy();
        settle(false);
      }, 30_000);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          noteError(Object.assign(new Error(''), { code: `HTTP_${res.statusCode}` }));
          req.destroy();
          settle(false);
          return;
        }
        conn.open = true;
        conns.push(conn);
        const parser = new SseParser((type, data) => {
          if (!counting) return;
          if (type === 'metrics') {
            conn.metrics++;
            if (data !== null) samples.push(data);
          } else other[type] = (other[type] ?? 0) + 1;
        }, keep);
        res.on('data', (c: Buffer) => {
          if (counting) bytes += c.length;
          parser.push(c);
        });
        res.on('close', () => {
          if (conn.open && counting) dropped++;
          conn.open = false;
        });
        settle(true);
      });
      req.on('error', (e) => {
        if (conn.open) dropped++;
        conn.open = false;
        noteError(e);
        settle(false);
      });
    });

  process.on('message', (m: ConnectMsg | { type: 'start' | 'stop' }) => {
    if (m.type === 'connect') {
      void (async () => {
        const t0 = Date.now();
        let ok = 0;
        let failed = 0;
        const deadline = t0 + Math.max(60_000, m.count * 20);
        for (let i = 0; i < m.count && Date.now() < deadline; i += m.batch) {
          const n = Math.min(m.batch, m.count - i);
          const results = await Promise.all(
            Array.from({ length: n }, (_, j) => open(m.url, m.token, m.keepSamples && i + j === 0)),
          );
          for (const r of results) {
            if (r) ok++;
            else failed++;
          }
        }
        failed += m.count - ok - failed;
        const reply: ConnectedMsg = {
          type: 'connected',
          ok,
          failed,
          errors: { ...errors },
          ms: Date.now() - t0,
        };
        process.send?.(reply);
      })();
    } else if (m.type === 'start') {
      counting = true;
    } else if (m.type === 'stop') {
      counting = false;
      const reply: ReportMsg = {
        type: 'report',
        metrics: conns.map((c) => c.metrics),
        other,
        bytes,
        open: conns.filter((c) => c.open).length,
        dropped,
        errors,
        samples,
      };
      process.send?.(reply, () => {
        for (const c of conns) c.req.destroy();
        process.exit(0);
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The measuring parent

interface Measurement {
  cpu: number;
  rssBefore: number;
  rssConnected: number;
  rssEnd: number;
  rssPeak: number;
  perConnKb: number;
  connected: number;
  failed: number;
  connectMs: number;
  metrics: number[];
  expected: number;
  complete: number;
  withEvent: number;
  open: number;
  dropped: number;
  bytesPerClientPerS: number;
  other: Record<string, number>;
  errors: Record<string, number>;
  samples: string[];
}

interface Plan {
  clients: number;
  duration: number;
  settle: number;
  procs: number;
  batch: number;
}

async function measure(
  plan: Plan,
  target: { pid: number; url: string; token: string },
  keepSamples: boolean,
): Promise<Measurement> {
  if (plan.settle > 0) await sleep(plan.settle * 1000);
  const rssBefore = rssMb(target.pid);
  const procs: ChildProcess[] = [];
  for (let i = 0; i < plan.procs; i++) procs.push(forkRole('sse-clients'));
  try {
    const share = (i: number) =>
      Math.floor(plan.clients / plan.procs) + (i < plan.clients % plan.procs ? 1 : 0);
    const connectTimeout = Math.max(60_000, plan.clients * 20) + 30_000;
    const connected = await Promise.all(
      procs.map((p, i) => {
        const msg: ConnectMsg = {
          type: 'connect',
          url: target.url,
          token: target.token,
          count: share(i),
          batch: plan.batch,
          keepSamples: keepSamples && i === 0,
        };
        p.send(msg);
        return nextMessage<ConnectedMsg>(p, 'connected', connectTimeout);
      }),
    );
    const errors: Record<string, number> = {};
    for (const c of connected)
      for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
    const ok = connected.reduce((a, c) => a + c.ok, 0);
    const failed = connected.reduce((a, c) => a + c.failed, 0);
    const connectMs = Math.max(...connected.map((c) => c.ms));
    if (errors['EMFILE'] || errors['ENFILE']) {
      console.error(
        `\nEMFILE: out of file descriptors (ulimit -n ${openFileLimit() ?? '?'}). Raise the soft limit in ` +
          `the shell before the run, e.g. \`ulimit -n 65536\`, then run again.\n`,
      );
    }
    console.log(
      `  connected ${ok}/${plan.clients} in ${round(connectMs / 1000)} s${failed ? `, ${failed} failed: ${JSON.stringify(errors)}` : ''}`,
    );
    const rssConnected = rssMb(target.pid);
    let rssPeak = rssConnected;
    const stopCpu = cpuMeter(target.pid);
    for (const p of procs) p.send({ type: 'start' });
    const end = Date.now() + plan.duration * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(1000, end - Date.now()));
      rssPeak = Math.max(rssPeak, rssMb(target.pid));
    }
    const reports = procs.map((p) => nextMessage<ReportMsg>(p, 'report', 60_000));
    for (const p of procs) p.send({ type: 'stop' });
    const cpu = stopCpu();
    const rssEnd = rssMb(target.pid);
    const got = await Promise.all(reports);
    const metrics = got.flatMap((r) => r.metrics);
    const other: Record<string, number> = {};
    // Each report's errors include those of its connect phase.
    const allErrors: Record<string, number> = {};
    for (const r of got) {
      for (const [k, v] of Object.entries(r.other)) other[k] = (other[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.errors)) allErrors[k] = (allErrors[k] ?? 0) + v;
    }
    const expected = Math.round(plan.duration / INTERVAL_S);
    return {
      cpu,
      rssBefore,
      rssConnected,
      rssEnd,
      rssPeak,
      perConnKb: ((rssEnd - rssBefore) * 1024) / plan.clients,
      connected: ok,
      failed,
      connectMs,
      metrics,
      expected,
      complete: metrics.filter((n) => n >= expected - 1).length,
      withEvent: metrics.filter((n) => n > 0).length,
      open: got.reduce((a, r) => a + r.open, 0),
      dropped: got.reduce((a, r) => a + r.dropped, 0),
      bytesPerClientPerS: got.reduce((a, r) => a + r.bytes, 0) / Math.max(1, ok) / plan.duration,
      other,
      errors: allErrors,
      samples: got.flatMap((r) => r.samples),
    };
  } finally {
    await Promise.all(procs.map((p) => stopChild(p, 5000)));
  }
}

/** Sizes of consecutive live samples: JSON, permessage-deflate with context takeover, gzip. */
async function sampleSizes(
  samples: string[],
): Promise<{ json: number[]; deflate: number[]; gzip: number[] }> {
  const deflate = zlib.createDeflateRaw();
  const out: number[] = [];
  let pending = 0;
  deflate.on('data', (c: Buffer) => (pending += c.length));
  for (const s of samples) {
    pending = 0;
    deflate.write(s);
    await new Promise<void>((resolve) =>
      deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()),
    );
    // RFC 7692 §7.2.1: the sender drops the 00 00 ff ff that ends each sync-flushed message.
    out.push(pending - 4);
  }
  deflate.close();
  return {
    json: samples.map((s) => Buffer.byteLength(s)),
    deflate: out,
    gzip: samples.map((s) => zlib.gzipSync(s).length),
  };
}

const sumRecords = (rs: Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return Object.keys(out).length
    ? Object.entries(out)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '0';
};

async function main(): Promise<void> {
  const cli = parseCli([
    'clients',
    'duration',
    'runs',
    'settle',
    'procs',
    'batch',
    'hold',
    ...HUB_FLAGS,
  ]);
  // A bare --hold means 10,000.
  const hold = !cli.flag('hold')
    ? 0
    : cli.str('hold') === ''
      ? 10_000
      : Math.floor(cli.num('hold', 10_000));
  const clients = hold || Math.max(1, Math.floor(cli.num('clients', 1000)));
  const plan: Plan = {
    clients,
    duration: cli.num('duration', hold ? 30 : 60),
    settle: cli.num('settle', 10),
    procs: Math.max(
      1,
      Math.floor(cli.num('procs', hold ? 4 : Math.min(4, Math.max(2, Math.ceil(clients / 500))))),
    ),
    batch: Math.max(1, Math.floor(cli.num('batch', hold ? 200 : 100))),
  };
  const runs = Math.max(1, Math.floor(cli.num('runs', hold ? 1 : 3)));

  printHeader(
    'sse-bench',
    hold
      ? `SSE: ${clients} held connections, hub vs bare node:http`
      : 'SSE fan-out: hub vs bare node:http',
  );
  const limit = openFileLimit();
  if (limit !== null && limit < clients + 256) {
    throw new Error(
      `ulimit -n is ${limit}, too low for ${clients} connections (the hub holds one descriptor each). ` +
        'Raise it in the shell first, e.g. `ulimit -n 65536`.',
    );
  }
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; ${clients} SSE clients in ${plan.procs} client process(es), batches of ` +
      `${plan.batch}, ${plan.duration} s measured after a ${plan.settle} s settle, ${runs} run(s), ` +
      `one sample every ${INTERVAL_S} s\n`,
  );

  const work = mkdtempSync(path.join(tmpdir(), 'tyto-sse-bench-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const sampleFile = path.join(work, 'sample.json');
  const results: Record<'hub' | 'bare', Measurement[]> = { hub: [], bare: [] };
  let captured: string | null = null;

  for (let run = 1; run <= runs; run++) {
    // The hub, fresh each run so "before" is the same state every time.
    const hub = await startHub(setup, { sampleInterval: INTERVAL_S });
    try {
      const token = await login(hub.base);
      if (captured === null) {
        captured = await captureSample(hub.base, token);
        writeFileSync(sampleFile, captured);
        console.log(
          `captured one metrics event from the hub: ${Buffer.byteLength(captured)} bytes of data`,
        );
      }
      console.log(`run ${run}/${runs} hub (pid ${hub.pid})`);
      results.hub.push(
        await measure(plan, { pid: hub.pid, url: `${hub.base}${STREAM_PATH}`, token }, true),
      );
    } finally {
      await hub.stop();
    }
    const port = await freePort();
    const bare = forkRole('bare-sse', ['--port', String(port), '--sample', sampleFile]);
    try {
      await nextMessage(bare, 'ready', 10_000);
      console.log(`run ${run}/${runs} bare (pid ${bare.pid})`);
      results.bare.push(
        await measure(
          plan,
          { pid: bare.pid as number, url: `http://127.0.0.1:${port}${STREAM_PATH}`, token: 'none' },
          false,
        ),
      );
    } finally {
      await stopChild(bare, 5000);
    }
  }

  const row = (label: string, ms: Measurement[]) => {
    const all = ms.flatMap((m) => m.metrics);
    return [
      label,
      spread(
        ms.map((m) => m.connected),
        0,
      ),
      spread(ms.map((m) => m.cpu)),
      spread(ms.map((m) => m.rssBefore)),
      spread(ms.map((m) => m.rssConnected)),
      spread(ms.map((m) => m.rssEnd)),
      spread(ms.map((m) => m.rssPeak)),
      spread(ms.map((m) => m.perConnKb)),
      all.length
        ? `${Math.min(...all)} / ${median(all)} / ${Math.max(...all)} (${ms[0].expected} ± 1)`
        : '—',
      spread(
        ms.map((m) => m.complete),
        0,
      ),
      spread(
        ms.map((m) => m.open),
        0,
      ),
      spread(
        ms.map((m) => m.withEvent),
        0,
      ),
      spread(ms.map((m) => m.bytesPerClientPerS / 1024)),
      sumRecords(ms.map((m) => m.other)),
      String(ms.reduce((a, m) => a + m.failed + m.dropped, 0)),
    ];
  };
  const header = [
    'server',
    'connected',
    'CPU % of one core',
    'RSS before MB',
    'RSS connected MB',
    'RSS end MB',
    'RSS peak MB',
    'RSS per conn KB',
    'metrics events/client min / median / max (expected)',
    'clients with every event',
    'open at end',
    'got ≥ 1 event',
    'KiB/s per client',
    'other events',
    'failed + dropped',
  ];
  console.log(
    `\n${markdownTable(header, [row('hub', results.hub), row('bare node:http', results.bare)])}\n`,
  );
  const med = (k: 'hub' | 'bare', f: (m: Measurement) => number) => median(results[k].map(f));
  console.log(
    markdownTable(
      ['hub vs bare (medians)', 'hub', 'bare', 'ratio'],
      [
        [
          'CPU % of one core',
          String(round(med('hub', (m) => m.cpu))),
          String(round(med('bare', (m) => m.cpu))),
          ratio(
            med('hub', (m) => m.cpu),
            med('bare', (m) => m.cpu),
          ),
        ],
        [
          'RSS per connection KB',
          String(round(med('hub', (m) => m.perConnKb))),
          String(round(med('bare', (m) => m.perConnKb))),
          ratio(
            med('hub', (m) => m.perConnKb),
            med('bare', (m) => m.perConnKb),
          ),
        ],
        [
          'RSS at end MB',
          String(round(med('hub', (m) => m.rssEnd))),
          String(round(med('bare', (m) => m.rssEnd))),
          ratio(
            med('hub', (m) => m.rssEnd),
            med('bare', (m) => m.rssEnd),
          ),
        ],
      ],
    ),
  );
  console.log(
    `\n"clients with every event": at least ${results.hub[0].expected - 1} metrics events in the ` +
      `${plan.duration} s window (one per ${INTERVAL_S} s, ± 1 for the window's edges).`,
  );
  if (hold) {
    const held = med('hub', (m) => m.rssEnd);
    const peak = med('hub', (m) => m.rssPeak);
    console.log(
      `\nheld ${clients} connections for ${plan.duration} s: hub RSS ${round(held)} MB at the end, ` +
        `${round(peak)} MB peak (target ≤ ${RSS_TARGET_MB} MB: ${peak <= RSS_TARGET_MB ? 'met' : 'NOT met'}); ` +
        `${med('hub', (m) => m.open)} stayed open, ${med('hub', (m) => m.withEvent)} received at least one event`,
    );
  }

  const samples = results.hub.flatMap((m) => m.samples);
  if (samples.length > 0) {
    const s = await sampleSizes(samples);
    const later = s.deflate.slice(1);
    console.log(
      `\n${markdownTable(
        ['live sample (hub metrics event data)', 'median bytes', 'max bytes', 'target'],
        [
          [
            'JSON',
            String(median(s.json)),
            String(Math.max(...s.json)),
            `≤ ${JSON_TARGET} (${median(s.json) <= JSON_TARGET ? 'met' : 'NOT met'})`,
          ],
          [
            'raw deflate, shared context, sync flush per sample (permessage-deflate), after the first',
            String(median(later)),
            String(Math.max(...later, 0)),
            `≤ ${COMPRESSED_TARGET} (${median(later) <= COMPRESSED_TARGET ? 'met' : 'NOT met'})`,
          ],
          [
            'raw deflate, first sample (empty context)',
            String(s.deflate[0]),
            String(s.deflate[0]),
            '',
          ],
          ['gzip, each sample on its own', String(median(s.gzip)), String(Math.max(...s.gzip)), ''],
        ],
      )}\n\n${samples.length} consecutive samples from one client.`,
    );
  }
  const lost = [...results.hub, ...results.bare].some((m) => m.failed > 0);
  if (lost) {
    console.error('\nFAILED: some connections could not be opened (see the failed column).');
    process.exitCode = 1;
  }
}

const role = childRole();
const argAfter = (flag: string) => process.argv[process.argv.indexOf(flag) + 1];
if (role === 'bare-sse') bareSseServer(Number(argAfter('--port')), argAfter('--sample'));
else if (role === 'sse-clients') sseClients();
else runMain(main);
