/**
 * Hub ingest from simulated agents that speak the real protocol: each one is enrolled through
 * the agent listener with a one-time token and a CSR of its own key (so each has its own
 * certificate), then holds a mutual-TLS WebSocket to `/channel` from a loopback address of its
 * own (127.1.x.y: the listener's enrollment limit is per address, as a fleet's would be).
 *
 * Two phases, one hub (its stdout/stderr go to this terminal at warn):
 * - live: every agent sends one sample per `--interval` seconds, spread evenly over the interval;
 *   one SSE client on `GET /api/v1/stream` (every agent) times each sample from the moment it
 *   was sent (its `timestamp`) to the moment it arrived on the stream. Hub CPU and RSS per
 *   connected agent (RSS 10 s after the channels opened minus RSS after enrollment, over the
 *   agent count), and
 *   TLS bytes on the wire per sample (permessage-deflate on, as the agent has it).
 * - back-fill: every agent sends `samples` batches of `--batch` back-dated samples, the next one
 *   as soon as the hub acknowledged the last (the hub acks a sequence number once it is
 *   stored): stored samples per second, sustained.
 *
 *   node tools/build/build-node.mjs tools/bench/agent-ingest-bench.ts \
 *     dist/tools/agent-ingest-bench.js apps/api/tsconfig.app.json && \
 *     node dist/tools/agent-ingest-bench.js --hub dist/apps/api/main.js
 *
 * Options: --agents 1000  --interval 5  --seconds 60 (live phase)  --backfill-seconds 20
 *          --batch 50  --concurrency 8 (enrollments at once)  --hub  --web  --pg [URL]
 *          --workers 2 (load-tool processes holding the channels)
 *          --cpu-prof DIR (the hub writes a .cpuprofile there when it stops; summarise with
 *          tools/bench/profile-summary.mjs)
 *          --key-cache DIR (default: $TMPDIR/tyto-ingest-bench-keys)  --prepare-keys
 *
 * Each simulated agent's RSA key and CSR are kept in the key cache (one file per agent id, 0600),
 * so a rerun does not spend minutes of the machine's two cores generating 1,000 RSA keys: every
 * agent still has a key of its own and gets a certificate of its own from this run's hub.
 * `--prepare-keys` only fills the cache and exits. `--distinct-keys N` lets agent i use the key
 * of agent i mod N (each still enrolls under its own id and gets its own certificate and serial,
 * so the hub's handshakes and channels are the same work): for a machine too busy to make 1,000
 * keys in the time at hand; the run's header says when it was used.
 */
import { createCollector } from '@tyto/collector';
import type { MetricsSnapshot } from '@tyto/contracts';
import { createKeyAndCsr } from '@tyto/pki';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  cpuMeter,
  describeHub,
  freePort,
  HUB_FLAGS,
  hubFromCli,
  login,
  markdownTable,
  percentile,
  median,
  parseCli,
  printHeader,
  request,
  round,
  runMain,
  rssMb,
  sleep,
  startHub,
  track,
} from './bench-kit';

interface SimAgent {
  id: string;
  address: string;
  key: string;
  cert: string;
  ws: WebSocket | null;
  seq: number;
  acked: number;
  timer: NodeJS.Timeout | null;
}

/** A loopback address of its own per agent: 127.1.0.1, 127.1.0.2, … 127.1.0.250, 127.1.1.1, … */
const addressOf = (i: number) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function tlsJson(
  url: string,
  method: string,
  json: unknown,
  opts: { ca?: string; localAddress: string },
): Promise<{ status: number; body: string }> {
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: opts.ca,
        rejectUnauthorized: opts.ca !== undefined,
        localAddress: opts.localAddress,
        agent: false,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The agent's own key and CSR, from the key cache or made (and cached) now. */
function keyAndCsr(cacheDir: string, id: string): { keyPem: string; csrPem: string } {
  const file = path.join(cacheDir, `${id}.json`);
  if (existsSync(file))
    return JSON.parse(readFileSync(file, 'utf8')) as { keyPem: string; csrPem: string };
  const made = createKeyAndCsr(id);
  writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const wireBytes = (ws: WebSocket | null) =>
  ((ws as unknown as { _socket?: TLSSocket } | null)?._socket?.bytesWritten ?? 0) as number;

async function main(): Promise<void> {
  const cli = parseCli([
    'agents',
    'interval',
    'seconds',
    'backfill-seconds',
    'batch',
    'concurrency',
    'key-cache',
    'prepare-keys',
    'distinct-keys',
    'workers',
    'cpu-prof',
    ...HUB_FLAGS,
  ]);
  const count = Math.floor(cli.num('agents', 1000));
  const interval = cli.num('interval', 5);
  const seconds = cli.num('seconds', 60);
  const backfillSeconds = cli.num('backfill-seconds', 20);
  const batch = Math.min(500, Math.max(1, Math.floor(cli.num('batch', 50))));
  const concurrency = Math.max(1, Math.floor(cli.num('concurrency', 8)));
  const keyCache = cli.str('key-cache') || path.join(tmpdir(), 'tyto-ingest-bench-keys');
  mkdirSync(keyCache, { recursive: true, mode: 0o700 });
  const agentId = (i: number) => `sim-${String(i).padStart(4, '0')}`;
  const distinctKeys = Math.floor(cli.num('distinct-keys', 0)) || null;
  if (cli.flag('prepare-keys')) {
    const t0 = Date.now();
    for (let i = 0; i < count; i++) keyAndCsr(keyCache, agentId(i));
    console.log(`${count} keys in ${keyCache} (${round((Date.now() - t0) / 1000)} s)`);
    return;
  }
  printHeader('agent-ingest-bench', 'Agent ingest: simulated agents over mutual TLS');
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; ${count} agents, one sample per ${interval} s for ${seconds} s, ` +
      `then back-fill batches of ${batch} for ${backfillSeconds} s` +
      (distinctKeys
        ? `; ${distinctKeys} distinct keys (agent i has the key of agent i mod ${distinctKeys})`
        : '') +
      '\n',
  );

  const agentPort = await freePort();
  const cpuProfDir = cli.str('cpu-prof') || null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const hub = await startHub(setup, {
    sampleInterval: interval,
    cpuProfDir,
    env: { TYTO_AGENT_PORT: String(agentPort) },
  });
  const listener = `https://127.0.0.1:${agentPort}`;
  const token = await login(hub.base);

  // The sample every agent sends: this host's, as the collector makes it.
  const collector = createCollector({ agentId: 'template' });
  await collector.sample();
  await sleep(1000);
  const template: MetricsSnapshot = await collector.sample();
  await collector.close();
  const templateJson = JSON.stringify({ ...template, agent_id: '@ID@', timestamp: '@TS@' });
  const sampleJson = (id: string, at: number) =>
    templateJson.replace('"@ID@"', JSON.stringify(id)).replace('@TS@', new Date(at).toISOString());
  console.log(`sample: ${Buffer.byteLength(sampleJson('sim-0000', Date.now()))} bytes of JSON`);

  // Enrollment: a token from the REST API, then the agent's own CSR on the listener.
  const ca = await tlsJson(`${listener}/ca`, 'GET', undefined, { localAddress: '127.0.0.1' });
  if (ca.status !== 200) throw new Error(`GET /ca: HTTP ${ca.status}`);
  const agents: SimAgent[] = [];
  const enrollStarted = Date.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const id = agentId(i);
      const made = await request('POST', `${hub.base}/api/v1/agents`, {
        token,
        json: { id, name: `Simulated ${i}` },
      });
      if (made.status !== 201)
        throw new Error(`POST /api/v1/agents ${id}: ${made.status} ${made.body}`);
      const { enrollment_token } = JSON.parse(made.body) as { enrollment_token: string };
      const { keyPem, csrPem } = keyAndCsr(keyCache, distinctKeys ? agentId(i % distinctKeys) : id);
      const address = addressOf(i);
      const r = await tlsJson(
        `${listener}/enroll`,
        'POST',
        {
          id,
          name: `Simulated ${i}`,
          hostname: id,
          os: 'Linux',
          architecture: 'x64',
          version: 'bench',
          csr: csrPem,
          token: enrollment_token,
        },
        { ca: ca.body, localAddress: address },
      );
      if (r.status !== 200) throw new Error(`enroll ${id}: ${r.status} ${r.body}`);
      const { certificate } = JSON.parse(r.body) as { certificate: string };
      agents.push({
        id,
        address,
        key: keyPem,
        cert: certificate,
        ws: null,
        seq: 0,
        acked: 0,
        timer: null,
      });
    },
  );
  console.log(
    `enrolled ${agents.length} agents in ${round((Date.now() - enrollStarted) / 1000)} s`,
  );

  // Read after enrollment (whose CSR checks leave garbage of their own) and a settle, so the
  // figure per agent is what holding the channels costs.
  await sleep(10_000);
  const rssBefore = rssMb(hub.pid);

  // The channels live in --workers child processes (agents dealt out round-robin): one Node
  // process holding 1,000 TLS clients with their deflate contexts, and the SSE client as well,
  // is the bottleneck on two cores before the hub is.
  const workerCount = Math.max(1, Math.floor(cli.num('workers', 2)));
  const workers = Array.from({ length: workerCount }, (_, w) => {
    const child = track(
      fork(process.argv[1], [], {
        env: { ...process.env, TYTO_INGEST_BENCH_WORKER: '1' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const replies: FromWorker[] = [];
    let wake: (() => void) | null = null;
    child.on('message', (m: FromWorker) => {
      if (m.type === 'error') console.error(`worker ${w}: ${m.message}`);
      replies.push(m);
      wake?.();
    });
    child.on('exit', (code) => {
      replies.push({ type: 'error', message: `worker ${w} exited (${code})` });
      wake?.();
    });
    const next = async (type: FromWorker['type']): Promise<FromWorker> => {
      for (;;) {
        const i = replies.findIndex((r) => r.type === type || r.type === 'error');
        if (i >= 0) {
          const [r] = replies.splice(i, 1);
          if (r.type === 'error') throw new Error(r.message);
          return r;
        }
        await new Promise<void>((r) => (wake = r));
      }
    };
    return { child, next, pid: child.pid as number };
  });
  const ask = async <T extends FromWorker['type']>(msg: ToWorker, reply: T) =>
    (await Promise.all(
      workers.map((w) => {
        w.child.send(msg);
        return w.next(reply);
      }),
    )) as Extract<FromWorker, { type: T }>[];

  const connectStarted = Date.now();
  await Promise.all(
    workers.map((w, k) => {
      w.child.send({
        type: 'connect',
        agents: agents
          .map((a, i) => ({ ...a, index: i }))
          .filter((_, i) => i % workerCount === k)
          .map(({ id, address, key, cert, index }) => ({ id, address, key, cert, index })),
        total: agents.length,
        ca: ca.body,
        agentPort,
        interval,
        templateJson,
      } satisfies ToWorker);
      return w.next('connected');
    }),
  );
  console.log(
    `connected ${agents.length} channels in ${round((Date.now() - connectStarted) / 1000)} s ` +
      `(${workerCount} worker processes)`,
  );
  await sleep(10_000);
  const rssConnected = rssMb(hub.pid);

  // One SSE client for every agent's samples.
  const latencies: number[] = [];
  let counting = false;
  const sse = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(
        `${hub.base}/api/v1/stream`,
        { headers: { authorization: `Bearer ${token}` }, agent: false },
        resolve,
      )
      .on('error', reject);
  });
  let buf = '';
  sse.setEncoding('utf8');
  sse.on('data', (chunk: string) => {
    buf += chunk;
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (!counting || !block.startsWith('event: metrics')) continue;
      const data = block.slice(block.indexOf('data: ') + 6);
      const s = JSON.parse(data) as { agent_id: string; timestamp: string };
      if (s.agent_id.startsWith('sim-')) latencies.push(Date.now() - Date.parse(s.timestamp));
    }
  });

  // Live phase.
  counting = true;
  const cpuLive = cpuMeter(hub.pid);
  const cpuLoadLive = workers.map((w) => cpuMeter(w.pid));
  const liveStarted = Date.now();
  const live = await ask({ type: 'live', seconds }, 'live-done');
  const liveCpu = cpuLive();
  const loadCpuLive = cpuLoadLive.map((m) => m());
  const liveSeconds = (Date.now() - liveStarted) / 1000;
  await sleep(2000);
  counting = false;
  const acked = await ask({ type: 'acked' }, 'acked');
  const liveSent = live.reduce((n, r) => n + r.sent, 0);
  const liveBytes = live.reduce((n, r) => n + r.bytes, 0);
  const liveAcked = acked.reduce((n, r) => n + r.acked, 0);

  // Back-fill phase: batches as fast as the hub acknowledges them.
  const cpuFill = cpuMeter(hub.pid);
  const cpuLoadFill = workers.map((w) => cpuMeter(w.pid));
  const fillStarted = Date.now();
  const fill = await ask({ type: 'backfill', seconds: backfillSeconds, batch }, 'backfill-done');
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  const fillCpu = cpuFill();
  const loadCpuFill = cpuLoadFill.map((m) => m());
  const fillStored = fill.reduce((n, r) => n + r.stored, 0);
  const rssEnd = rssMb(hub.pid);

  sse.destroy();
  await ask({ type: 'close' }, 'closed');
  await sleep(500);

  const perAgentKb = ((rssConnected - rssBefore) * 1024) / agents.length;
  console.log(
    `\n${markdownTable(
      ['measure', 'value', 'target'],
      [
        ['agents connected (own certificate, own address)', String(agents.length), '≥ 500'],
        [
          `live: samples sent in ${round(liveSeconds)} s / acknowledged as stored`,
          `${liveSent} / ${liveAcked}`,
          '',
        ],
        [
          'live: sample sent → on SSE, p50 / p99 / max ms',
          `${round(median(latencies), 0)} / ${round(percentile(latencies, 99), 0)} / ${round(Math.max(...latencies), 0)} (${latencies.length} samples)`,
          'p99 ≤ 250 ms at 1,000 agents at 5 s',
        ],
        ['live: hub CPU, % of one core', String(round(liveCpu)), ''],
        [
          'live: load tool CPU per worker process, % of one core',
          loadCpuLive.map((c) => round(c)).join(' / '),
          '',
        ],
        [
          'live: TLS bytes on the wire per sample (deflate on)',
          String(round(liveBytes / Math.max(1, liveSent), 0)),
          '≤ 2,048',
        ],
        [
          'hub RSS before / with agents connected / at end, MB',
          `${round(rssBefore)} / ${round(rssConnected)} / ${round(rssEnd)}`,
          '',
        ],
        ['hub RSS per connected agent, KB', String(round(perAgentKb)), '≤ 100 KB'],
        [
          `back-fill: samples stored per second (${fillStored} in ${round(fillSeconds)} s)`,
          String(round(fillStored / fillSeconds, 0)),
          '≥ 5,000',
        ],
        ['back-fill: hub CPU, % of one core', String(round(fillCpu)), ''],
        [
          'back-fill: load tool CPU per worker process, % of one core',
          loadCpuFill.map((c) => round(c)).join(' / '),
          '',
        ],
      ],
    )}`,
  );
  await hub.stop();
}

interface WorkerAgentSpec {
  id: string;
  address: string;
  key: string;
  cert: string;
  /** Position in the whole fleet: spreads the live samples evenly over the interval. */
  index: number;
}

type ToWorker =
  | {
      type: 'connect';
      agents: WorkerAgentSpec[];
      total: number;
      ca: string;
      agentPort: number;
      interval: number;
      templateJson: string;
    }
  | { type: 'live'; seconds: number }
  | { type: 'acked' }
  | { type: 'backfill'; seconds: number; batch: number }
  | { type: 'close' };

type FromWorker =
  | { type: 'connected' }
  | { type: 'live-done'; sent: number; bytes: number }
  | { type: 'acked'; acked: number }
  | { type: 'backfill-done'; stored: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** A load-tool process: holds its share of the channels and sends what the parent asks. */
function worker(): void {
  const reply = (m: FromWorker) => process.send?.(m);
  let agents: (SimAgent & { index: number })[] = [];
  let cfg: Extract<ToWorker, { type: 'connect' }> | null = null;
  const sampleJson = (id: string, at: number) =>
    (cfg as NonNullable<typeof cfg>).templateJson
      .replace('"@ID@"', JSON.stringify(id))
      .replace('@TS@', new Date(at).toISOString());
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'connect') {
      cfg = m;
      agents = m.agents.map((a) => ({ ...a, ws: null, seq: 0, acked: 0, timer: null }));
      await pool(agents, 25, (a) => openChannel(a, m.ca, m.agentPort, m.interval));
      reply({ type: 'connected' });
    } else if (m.type === 'live') {
      const c = cfg as NonNullable<typeof cfg>;
      const bytes0 = agents.reduce((n, a) => n + wireBytes(a.ws), 0);
      const seq0 = agents.reduce((n, a) => n + a.seq, 0);
      for (const a of agents) {
        const send = () => {
          a.seq += 1;
          a.ws?.send(`{"type":"sample","seq":${a.seq},"sample":${sampleJson(a.id, Date.now())}}`);
        };
        a.timer = setTimeout(
          () => {
            send();
            a.timer = setInterval(send, c.interval * 1000);
          },
          (a.index / c.total) * c.interval * 1000,
        );
      }
      await sleep(m.seconds * 1000);
      for (const a of agents) if (a.timer) clearInterval(a.timer);
      reply({
        type: 'live-done',
        sent: agents.reduce((n, a) => n + a.seq, 0) - seq0,
        bytes: agents.reduce((n, a) => n + wireBytes(a.ws), 0) - bytes0,
      });
    } else if (m.type === 'acked') {
      reply({ type: 'acked', acked: agents.reduce((n, a) => n + a.acked, 0) });
    } else if (m.type === 'backfill') {
      const c = cfg as NonNullable<typeof cfg>;
      const acked0 = agents.reduce((n, a) => n + a.acked, 0);
      const until = Date.now() + m.seconds * 1000;
      await Promise.all(
        agents.map(async (a) => {
          // Back-dated, one interval apart, ending an hour ago.
          let at = Date.now() - 3600_000 - m.seconds * 100 * c.interval * 1000;
          while (Date.now() < until && a.ws) {
            const parts: string[] = [];
            for (let k = 0; k < m.batch; k++) {
              a.seq += 1;
              at += c.interval * 1000;
              parts.push(`{"seq":${a.seq},"sample":${sampleJson(a.id, at)}}`);
            }
            a.ws.send(`{"type":"samples","samples":[${parts.join(',')}]}`);
            const want = a.seq;
            const deadline = Date.now() + 30_000;
            while (a.acked < want && Date.now() < deadline && a.ws) await sleep(5);
          }
        }),
      );
      reply({
        type: 'backfill-done',
        stored: agents.reduce((n, a) => n + a.acked, 0) - acked0,
      });
    } else if (m.type === 'close') {
      for (const a of agents) a.ws?.close();
      await sleep(200);
      reply({ type: 'closed' });
      process.exit(0);
    }
  };
  process.on('message', (m: ToWorker) => {
    handle(m).catch((e: unknown) =>
      reply({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/** The channel: hello, then the hub's settings and acks. */
function openChannel(a: SimAgent, ca: string, agentPort: number, interval: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${agentPort}/channel`, {
      ca,
      cert: a.cert,
      key: a.key,
      localAddress: a.address,
      perMessageDeflate: true,
      handshakeTimeout: 60_000,
    });
    a.ws = ws;
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          version: 'bench',
          hostname: a.id,
          os: 'Linux',
          architecture: 'x64',
          interval,
          dropped: 0,
          buffered: 0,
        }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; seq?: number };
      if (msg.type === 'settings') resolve();
      if (msg.type === 'ack' && typeof msg.seq === 'number') a.acked = Math.max(a.acked, msg.seq);
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (a.ws === ws) a.ws = null;
      reject(new Error(`${a.id}: channel closed (${code})`));
    });
  });
}

if (process.env.TYTO_INGEST_BENCH_WORKER === '1') worker();
else runMain(main);
