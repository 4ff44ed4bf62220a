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
 * Options: --agents 1000  --interval 5  --seconds 60 (live phase)  --backfill-seconds 20 (0: none)
 *          --batch 50  --concurrency 8 (enrollments at once)  --hub  --web  --pg [URL]
 *          --hub-node-flags="--flag …" (node/V8 flags for the hub process, e.g. GC sizes)
 *          --workers 2 (load-tool processes holding the channels)
 *          --cpu-prof DIR (the hub writes a .cpuprofile there when it stops; summarise with
 *          tools/bench/profile-summary.mjs)
 *          --sse 1 (SSE clients)  --sse-workers 2 (processes reading them)
 *          --replicas 1  --redis URL (default redis://127.0.0.1:6379)  --redis-prefix P
 *          --quiet FILE (exists from the channels' opening to the end of the live phase)
 *          --key-cache DIR (default: $TMPDIR/tyto-ingest-bench-keys)  --prepare-keys
 *
 * `--replicas N` (needs `--pg`) starts N hubs as replicas: one PostgreSQL database, one Redis
 * key prefix (random unless given; its keys are deleted at the end with SCAN + DEL), one shared
 * TYTO_PKI_DIR, each its own data directory, ports and TYTO_REPLICA_ID. Agent i is created,
 * enrolled and connected on replica i mod N, SSE client j reads replica j mod N, and each
 * delivery is filed as local (agent on the client's replica) or bridged (it crossed through
 * Redis). Each replica's /metrics is scraped (bus bridge counters) before and after the live
 * phase, and a subscriber of the bench's own counts what crosses the bus channel by event name.
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
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  cpuMeter,
  createDatabase,
  describeHub,
  freePort,
  HUB_FLAGS,
  type Hub,
  hubFromCli,
  login,
  markdownTable,
  onCleanup,
  nextMessage,
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

/** One hub process of the run: a replica when there are several. */
interface Replica {
  index: number;
  hub: Hub;
  agentPort: number;
  token: string;
}

interface BridgeCounters {
  sentMessages: number;
  receivedMessages: number;
  sentBytes: number;
  receivedBytes: number;
}

/** The bus bridge's counters from the replica's /metrics, or null when it has no bridge. */
async function scrapeBridge(r: Replica): Promise<BridgeCounters | null> {
  const res = await request('GET', `${r.hub.base}/metrics`, { token: r.token, timeoutMs: 30_000 });
  if (res.status !== 200) throw new Error(`GET /metrics on replica ${r.index}: HTTP ${res.status}`);
  const read = (name: string, direction: string) => {
    const m = new RegExp(`^${name}\\{direction="${direction}"\\} (\\S+)$`, 'm').exec(res.body);
    return m ? Number(m[1]) : null;
  };
  const sentBytes = read('tyto_bus_bridge_bytes', 'sent');
  if (sentBytes === null) return null;
  return {
    sentBytes,
    receivedBytes: read('tyto_bus_bridge_bytes', 'received') ?? NaN,
    sentMessages: read('tyto_bus_bridge_messages', 'sent') ?? NaN,
    receivedMessages: read('tyto_bus_bridge_messages', 'received') ?? NaN,
  };
}

/** Deletes the run's keys (SCAN + DEL under its own prefix; never a FLUSH). */
async function dropRedisKeys(url: string, prefix: string): Promise<number> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let cursor = '0';
  let deleted = 0;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return deleted;
}

/**
 * An SSE client of every agent's samples: `onSample(agentIndex, ms)` per `event: metrics` of a
 * simulated agent, timed from the sample's `timestamp`. The two fields are cut out of the first
 * bytes of each event (200 clients × 200 samples/s of JSON.parse would load the measuring
 * process more than the hub); the first event is checked against JSON.parse.
 */
async function openSse(
  base: string,
  token: string,
  onSample: (agentIndex: number, ms: number) => void,
): Promise<http.IncomingMessage> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(
        `${base}/api/v1/stream`,
        { headers: { authorization: `Bearer ${token}` }, agent: false },
        resolve,
      )
      .on('error', reject);
  });
  if (res.statusCode !== 200) throw new Error(`GET /api/v1/stream: HTTP ${res.statusCode}`);
  // Bytes, not text: only the start of each event (where the snapshot's `timestamp` and
  // `agent_id` are) is decoded; decoding and re-slicing every 8 KB event as a string cost the
  // reader processes a third of a core each at 200 clients.
  let pending: Buffer = Buffer.alloc(0);
  let checked = false;
  const SEP = Buffer.from('\n\n');
  const field = (head: string, name: string) => {
    const at = head.indexOf(`"${name}":"`);
    if (at < 0) return null;
    const from = at + name.length + 4;
    const to = head.indexOf('"', from);
    return to < 0 ? null : head.slice(from, to);
  };
  res.on('data', (chunk: Buffer) => {
    const now = Date.now();
    const data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    let end;
    while ((end = data.indexOf(SEP, start)) >= 0) {
      const head = data.toString('latin1', start, Math.min(end, start + 256));
      const blockStart = start;
      start = end + 2;
      if (!head.startsWith('event: metrics')) continue;
      const id = field(head, 'agent_id');
      const ts = field(head, 'timestamp');
      if (!id?.startsWith('sim-') || !ts) continue;
      if (!checked) {
        const block = data.toString('utf8', blockStart, end);
        const s = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as {
          agent_id: string;
          timestamp: string;
        };
        if (s.agent_id !== id || s.timestamp !== ts)
          throw new Error(`SSE: cut ${id} ${ts}, parsed ${s.agent_id} ${s.timestamp}`);
        checked = true;
      }
      onSample(Number(id.slice(4)), now - Date.parse(ts));
    }
    // The unfinished event's bytes, copied so the chunk they came in can be freed.
    pending = start < data.length ? Buffer.from(data.subarray(start)) : Buffer.alloc(0);
  });
  return res;
}

/**
 * Counts what crosses the bus channel (`<prefix>bus`) by event name, as a third subscriber:
 * `start()` and `stop()` bracket the live phase.
 */
async function busTap(url: string, prefix: string) {
  const { default: Redis } = await import('ioredis');
  const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await sub.connect();
  const byEvent = new Map<string, { messages: number; bytes: number }>();
  let on = false;
  sub.on('message', (_channel: string, message: string) => {
    if (!on) return;
    // A bridged message is `origin\n{json}` (common/bus.module.ts).
    const name = /^[^\n]*\n\{"n":"([^"]+)"/.exec(message)?.[1] ?? '?';
    const e = byEvent.get(name) ?? { messages: 0, bytes: 0 };
    e.messages += 1;
    e.bytes += Buffer.byteLength(message);
    byEvent.set(name, e);
  });
  await sub.subscribe(`${prefix}bus`);
  onCleanup(() => sub.disconnect());
  return {
    start: () => (on = true),
    stop: () => {
      on = false;
      return byEvent;
    },
  };
}

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
    'replicas',
    'sse',
    'redis',
    'redis-prefix',
    'quiet',
    'sse-workers',
    ...HUB_FLAGS,
  ]);
  const count = Math.floor(cli.num('agents', 1000));
  const interval = cli.num('interval', 5);
  const seconds = cli.num('seconds', 60);
  const backfillSeconds = cli.num('backfill-seconds', 20);
  const batch = Math.min(500, Math.max(1, Math.floor(cli.num('batch', 50))));
  const concurrency = Math.max(1, Math.floor(cli.num('concurrency', 8)));
  const replicaCount = Math.max(1, Math.floor(cli.num('replicas', 1)));
  const sseCount = Math.max(1, Math.floor(cli.num('sse', 1)));
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
  if (replicaCount > 1 && !setup.pgUrl)
    throw new Error('--replicas needs --pg (one shared database)');
  const redisUrl = cli.str('redis') || 'redis://127.0.0.1:6379';
  const redisPrefix =
    cli.str('redis-prefix') || `tyto-bench-${process.pid}-${randomBytes(4).toString('hex')}:`;
  console.log(
    `${describeHub(setup)}; ${replicaCount > 1 ? `${replicaCount} replicas on one database, Redis ${redisUrl} prefix ${redisPrefix}; ` : ''}` +
      `${count} agents, one sample per ${interval} s for ${seconds} s, ${sseCount} SSE client(s)` +
      (backfillSeconds > 0 ? `, then back-fill batches of ${batch} for ${backfillSeconds} s` : '') +
      (distinctKeys
        ? `; ${distinctKeys} distinct keys (agent i has the key of agent i mod ${distinctKeys})`
        : '') +
      '\n',
  );

  const cpuProfDir = cli.str('cpu-prof') || null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  // Replicas: one database, one Redis prefix, one PKI directory (the CA is made under the
  // start-up lock by whichever replica gets there first), their own data directory and ports.
  const replicaEnv: Record<string, string> = {};
  let databaseUrl: string | undefined;
  if (replicaCount > 1) {
    databaseUrl = (await createDatabase(setup.pgUrl as string)).url;
    const pkiDir = mkdtempSync(path.join(tmpdir(), 'tyto-bench-pki-'));
    onCleanup(() => rmSync(pkiDir, { recursive: true, force: true }));
    onCleanup(async () => {
      const n = await dropRedisKeys(redisUrl, redisPrefix);
      console.log(`Redis: deleted ${n} keys under ${redisPrefix}`);
    });
    Object.assign(replicaEnv, {
      TYTO_REDIS_URL: redisUrl,
      TYTO_REDIS_PREFIX: redisPrefix,
      TYTO_PKI_DIR: pkiDir,
    });
  }
  const replicas: Replica[] = await Promise.all(
    Array.from({ length: replicaCount }, async (_, index) => {
      const agentPort = await freePort();
      const hub = await startHub(setup, {
        sampleInterval: interval,
        label: replicaCount > 1 ? `hub${index}` : 'hub',
        databaseUrl,
        cpuProfDir,
        env: {
          TYTO_AGENT_PORT: String(agentPort),
          ...replicaEnv,
          ...(replicaCount > 1 ? { TYTO_REPLICA_ID: `bench-${index}` } : {}),
        },
      });
      return { index, hub, agentPort, token: '' };
    }),
  );
  for (const r of replicas) r.token = await login(r.hub.base);
  const replicaOf = (i: number) => replicas[i % replicaCount];

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

  // Enrollment: a token from the REST API, then the agent's own CSR on the listener, both on
  // the agent's replica; every replica must serve the one shared CA.
  const cas = await Promise.all(
    replicas.map((r) =>
      tlsJson(`https://127.0.0.1:${r.agentPort}/ca`, 'GET', undefined, {
        localAddress: '127.0.0.1',
      }),
    ),
  );
  if (cas.some((c) => c.status !== 200)) throw new Error('GET /ca: not 200 on every replica');
  if (cas.some((c) => c.body !== cas[0].body)) throw new Error('the replicas serve different CAs');
  const ca = cas[0];
  const agents: (SimAgent & { index: number })[] = [];
  const enrollStarted = Date.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const id = agentId(i);
      const r = replicaOf(i);
      const made = await request('POST', `${r.hub.base}/api/v1/agents`, {
        token: r.token,
        json: { id, name: `Simulated ${i}` },
      });
      if (made.status !== 201)
        throw new Error(`POST /api/v1/agents ${id}: ${made.status} ${made.body}`);
      const { enrollment_token } = JSON.parse(made.body) as { enrollment_token: string };
      const { keyPem, csrPem } = keyAndCsr(keyCache, distinctKeys ? agentId(i % distinctKeys) : id);
      const address = addressOf(i);
      const enrolled = await tlsJson(
        `https://127.0.0.1:${r.agentPort}/enroll`,
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
      if (enrolled.status !== 200)
        throw new Error(`enroll ${id}: ${enrolled.status} ${enrolled.body}`);
      const { certificate } = JSON.parse(enrolled.body) as { certificate: string };
      agents.push({
        id,
        index: i,
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

  // --quiet FILE: the file other sessions wait on exists from the channels' opening to the end
  // of the live phase (never longer than 230 s; removed on exit and on failure too).
  const quietFile = cli.str('quiet') || null;
  let quietTimer: NodeJS.Timeout | null = null;
  let quietHeld = false;
  // Removes the file only while this run holds it: once it is gone, another session may make
  // its own, which is not ours to remove.
  const endQuiet = () => {
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = null;
    if (quietFile && quietHeld) rmSync(quietFile, { force: true });
    quietHeld = false;
  };
  if (quietFile) {
    onCleanup(endQuiet);
    process.once('exit', endQuiet);
  }

  // Read after enrollment (whose CSR checks leave garbage of their own) and a settle, so the
  // figure per agent is what holding the channels costs.
  await sleep(10_000);
  if (quietFile) {
    // Made only if absent ('wx'), so a file another session holds is waited on, never taken.
    for (;;) {
      try {
        writeFileSync(quietFile, `agent-ingest-bench ${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        console.log(`${quietFile} exists (someone is measuring): waiting`);
        await sleep(10_000);
      }
    }
    quietHeld = true;
    quietTimer = setTimeout(endQuiet, 230_000);
    quietTimer.unref();
  }
  const rssBefore = replicas.map((r) => rssMb(r.hub.pid));

  // The channels live in --workers child processes (agents dealt out round-robin): one Node
  // process holding 1,000 TLS clients with their deflate contexts, and the SSE clients as well,
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
          .filter((a) => a.index % workerCount === k)
          .map(({ id, address, key, cert, index }) => ({
            id,
            address,
            key,
            cert,
            index,
            agentPort: replicaOf(index).agentPort,
          })),
        total: agents.length,
        ca: ca.body,
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
  const rssConnected = replicas.map((r) => rssMb(r.hub.pid));

  // --sse clients for every agent's samples, client j on replica j mod the replica count; each
  // delivery is filed under the client's replica, and as local (the agent is connected to that
  // replica) or bridged (it crossed from the other replica through Redis).
  // They live in --sse-workers processes of their own (clients dealt out round-robin), so the
  // reading of 200 streams neither delays the channels' samples nor is delayed by them.
  const sseWorkerCount = Math.max(1, Math.floor(cli.num('sse-workers', 2)));
  const sseProcs = Array.from({ length: Math.min(sseWorkerCount, sseCount) }, () =>
    track(
      fork(process.argv[1], [], {
        env: { ...process.env, TYTO_INGEST_BENCH_WORKER: 'sse' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    ),
  );
  await Promise.all(
    sseProcs.map((child, k) => {
      child.send({
        type: 'sse-open',
        replicaCount,
        clients: Array.from({ length: sseCount }, (_, j) => j)
          .filter((j) => j % sseProcs.length === k)
          .map((j) => {
            const r = replicas[j % replicaCount];
            return { base: r.hub.base, token: r.token, replica: r.index };
          }),
      } satisfies ToSseWorker);
      return nextMessage(child, 'sse-opened', 120_000);
    }),
  );
  await sleep(2000);

  // Live phase.
  const tap = replicaCount > 1 ? await busTap(redisUrl, redisPrefix) : null;
  const bridgeBefore = await Promise.all(replicas.map(scrapeBridge));
  tap?.start();
  for (const child of sseProcs) child.send({ type: 'sse-count', on: true } satisfies ToSseWorker);
  const cpuLive = replicas.map((r) => cpuMeter(r.hub.pid));
  const cpuLoadLive = workers.map((w) => cpuMeter(w.pid));
  const cpuReaderLive = sseProcs.map((c) => cpuMeter(c.pid as number));
  const liveStarted = Date.now();
  const live = await ask({ type: 'live', seconds }, 'live-done');
  const liveCpu = cpuLive.map((m) => m());
  const loadCpuLive = cpuLoadLive.map((m) => m());
  const readerCpuLive = cpuReaderLive.map((m) => m());
  const liveSeconds = (Date.now() - liveStarted) / 1000;
  await sleep(2000);
  const latency = replicas.map(() => ({ local: [] as number[], bridged: [] as number[] }));
  for (const reply of await Promise.all(
    sseProcs.map((child) => {
      child.send({ type: 'sse-count', on: false } satisfies ToSseWorker);
      return nextMessage<{ type: 'sse-result'; latency: typeof latency }>(
        child,
        'sse-result',
        120_000,
      );
    }),
  )) {
    reply.latency.forEach((l, r) => {
      for (const v of l.local) latency[r].local.push(v);
      for (const v of l.bridged) latency[r].bridged.push(v);
    });
  }
  const bridgeAfter = await Promise.all(replicas.map(scrapeBridge));
  const tapped = tap?.stop() ?? null;
  endQuiet();
  const acked = await ask({ type: 'acked' }, 'acked');
  const liveSent = live.reduce((n, r) => n + r.sent, 0);
  const liveBytes = live.reduce((n, r) => n + r.bytes, 0);
  const liveAcked = acked.reduce((n, r) => n + r.acked, 0);

  // Back-fill phase: batches as fast as the hub acknowledges them.
  let fillRow: { stored: number; seconds: number; cpu: number[]; loadCpu: number[] } | null = null;
  if (backfillSeconds > 0) {
    const cpuFill = replicas.map((r) => cpuMeter(r.hub.pid));
    const cpuLoadFill = workers.map((w) => cpuMeter(w.pid));
    const fillStarted = Date.now();
    const fill = await ask({ type: 'backfill', seconds: backfillSeconds, batch }, 'backfill-done');
    fillRow = {
      seconds: (Date.now() - fillStarted) / 1000,
      cpu: cpuFill.map((m) => m()),
      loadCpu: cpuLoadFill.map((m) => m()),
      stored: fill.reduce((n, r) => n + r.stored, 0),
    };
  }
  const rssEnd = replicas.map((r) => rssMb(r.hub.pid));

  await ask({ type: 'close' }, 'closed');
  await sleep(500);

  // The table: a column per replica, then the whole run.
  const multi = replicaCount > 1;
  const header = [
    'measure',
    ...(multi ? replicas.map((r) => `replica ${r.index}`) : []),
    multi ? 'all replicas' : 'hub',
    'target',
  ];
  const rows: string[][] = [];
  const row = (label: string, per: string[] | null, all: string, target = '') =>
    rows.push([label, ...(multi ? (per ?? replicas.map(() => '')) : []), all, target]);
  // Sorted once, typed: a run of 200 clients holds millions of deliveries.
  const lat = (xs: number[]) => {
    if (xs.length === 0) return '—';
    const s = Float64Array.from(xs).sort();
    const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
    return `${round(at(0.5), 0)} / ${round(at(0.99), 0)} / ${round(s[s.length - 1], 0)} (${xs.length})`;
  };
  const allOf = (r: (typeof latency)[number]) => [...r.local, ...r.bridged];
  const everything = latency.flatMap(allOf);
  const agentsOn = replicas.map((r) => agents.filter((a) => a.index % replicaCount === r.index));
  row(
    'agents connected (own certificate, own address)',
    agentsOn.map((a) => String(a.length)),
    String(agents.length),
  );
  row(
    'SSE clients',
    replicas.map((r) => String(Math.ceil((sseCount - r.index) / replicaCount))),
    String(sseCount),
  );
  row(
    `live: samples sent in ${round(liveSeconds)} s / acknowledged as stored`,
    null,
    `${liveSent} / ${liveAcked}`,
  );
  row(
    'live: SSE deliveries received / expected (sent × clients)',
    null,
    `${everything.length} / ${liveSent * sseCount}`,
  );
  row(
    'live: sample sent → on SSE, p50 / p99 / max ms (deliveries)',
    latency.map((r) => lat(allOf(r))),
    lat(everything),
    multi ? 'p99 ≤ 500 ms across replicas' : 'p99 ≤ 250 ms at 1,000 agents at 5 s',
  );
  if (multi) {
    row(
      '… from agents on the same replica',
      latency.map((r) => lat(r.local)),
      lat(latency.flatMap((r) => r.local)),
    );
    row(
      '… from agents on the other replica (through Redis)',
      latency.map((r) => lat(r.bridged)),
      lat(latency.flatMap((r) => r.bridged)),
    );
  }
  row(
    'live: hub CPU, % of one core',
    liveCpu.map((c) => String(round(c))),
    String(round(liveCpu.reduce((a, b) => a + b, 0))),
  );
  row(
    'live: hub CPU per sample stored, ms',
    null,
    String(
      round((liveCpu.reduce((a, b) => a + b, 0) * 10 * liveSeconds) / Math.max(1, liveAcked), 2),
    ),
  );
  if (bridgeBefore.every((b) => b) && bridgeAfter.every((b) => b)) {
    const d = replicas.map((r) => {
      const a = bridgeAfter[r.index] as BridgeCounters;
      const b = bridgeBefore[r.index] as BridgeCounters;
      return {
        sentMessages: a.sentMessages - b.sentMessages,
        receivedMessages: a.receivedMessages - b.receivedMessages,
        sentBytes: a.sentBytes - b.sentBytes,
        receivedBytes: a.receivedBytes - b.receivedBytes,
      };
    });
    const sum = (k: keyof BridgeCounters) => d.reduce((n, x) => n + x[k], 0);
    row(
      'live: bus bridge messages sent / received',
      d.map((x) => `${x.sentMessages} / ${x.receivedMessages}`),
      `${sum('sentMessages')} / ${sum('receivedMessages')}`,
    );
    row(
      'live: bus bridge bytes sent / received, MB',
      d.map((x) => `${round(x.sentBytes / 2 ** 20, 2)} / ${round(x.receivedBytes / 2 ** 20, 2)}`),
      `${round(sum('sentBytes') / 2 ** 20, 2)} / ${round(sum('receivedBytes') / 2 ** 20, 2)}`,
    );
    const perSample = (n: number) => round(n / Math.max(1, liveSent), 2);
    row(
      'live: Redis traffic per sample sent: messages / bytes published',
      null,
      `${perSample(sum('sentMessages'))} / ${round(sum('sentBytes') / Math.max(1, liveSent), 0)}`,
    );
  }
  if (tapped) {
    for (const [name, e] of [...tapped].sort((x, y) => y[1].bytes - x[1].bytes)) {
      row(
        `live: on the Redis bus channel, '${name}': messages / bytes per sample sent`,
        null,
        `${round(e.messages / Math.max(1, liveSent), 3)} / ${round(e.bytes / Math.max(1, liveSent), 0)}`,
      );
    }
  }
  row(
    'live: load tool CPU per channel worker / SSE reader process, % of one core',
    null,
    `${loadCpuLive.map((c) => round(c)).join(' / ')} / ${readerCpuLive.map((c) => round(c)).join(' / ')}`,
  );
  row(
    'live: TLS bytes on the wire per sample (deflate on)',
    null,
    String(round(liveBytes / Math.max(1, liveSent), 0)),
    '≤ 2,048',
  );
  row(
    'hub RSS before / with agents connected / at end, MB',
    replicas.map(
      (r) =>
        `${round(rssBefore[r.index])} / ${round(rssConnected[r.index])} / ${round(rssEnd[r.index])}`,
    ),
    `${round(rssBefore.reduce((a, b) => a + b, 0))} / ${round(rssConnected.reduce((a, b) => a + b, 0))} / ${round(rssEnd.reduce((a, b) => a + b, 0))}`,
  );
  const perAgent = replicas.map(
    (r) =>
      ((rssConnected[r.index] - rssBefore[r.index]) * 1024) / Math.max(1, agentsOn[r.index].length),
  );
  row(
    'hub RSS per connected agent, KB',
    perAgent.map((k) => String(round(k))),
    String(
      round(
        ((rssConnected.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) * 1024) /
          agents.length,
      ),
    ),
    '≤ 100 KB',
  );
  if (fillRow) {
    row(
      `back-fill: samples stored per second (${fillRow.stored} in ${round(fillRow.seconds)} s)`,
      null,
      String(round(fillRow.stored / fillRow.seconds, 0)),
      '≥ 5,000',
    );
    row(
      'back-fill: hub CPU, % of one core',
      fillRow.cpu.map((c) => String(round(c))),
      String(round(fillRow.cpu.reduce((a, b) => a + b, 0))),
    );
    row(
      'back-fill: load tool CPU per worker process, % of one core',
      null,
      fillRow.loadCpu.map((c) => round(c)).join(' / '),
    );
  }
  console.log(
    `\n${markdownTable(header, rows)}\n\nload average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await Promise.all(replicas.map((r) => r.hub.stop()));
}

type ToSseWorker =
  | {
      type: 'sse-open';
      replicaCount: number;
      clients: { base: string; token: string; replica: number }[];
    }
  | { type: 'sse-count'; on: boolean };

/** A reader process: holds its share of the SSE clients and times what they receive. */
function sseWorker(): void {
  let latency: { local: number[]; bridged: number[] }[] = [];
  let counting = false;
  const streams: http.IncomingMessage[] = [];
  const handle = async (m: ToSseWorker): Promise<void> => {
    if (m.type === 'sse-open') {
      latency = Array.from({ length: m.replicaCount }, () => ({ local: [], bridged: [] }));
      for (const c of m.clients) {
        streams.push(
          await openSse(c.base, c.token, (agentIndex, ms) => {
            if (!counting) return;
            const into = latency[c.replica];
            (agentIndex % m.replicaCount === c.replica ? into.local : into.bridged).push(ms);
          }),
        );
      }
      process.send?.({ type: 'sse-opened' });
    } else if (m.on) {
      counting = true;
    } else {
      counting = false;
      for (const s of streams) s.destroy();
      // Its work is done once the result is out; exiting (not being killed) lets
      // `node --cpu-prof` write this process's profile.
      process.send?.({ type: 'sse-result', latency }, () => process.exit(0));
    }
  };
  process.on('message', (m: ToSseWorker) => {
    handle(m).catch((e: unknown) => {
      console.error(`SSE worker: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
  // An exit of its own on the bench's SIGTERM, so `node --cpu-prof` (which the workers
  // inherit) writes their profiles too.
  process.on('SIGTERM', () => process.exit(0));
}

interface WorkerAgentSpec {
  id: string;
  address: string;
  key: string;
  cert: string;
  /** Position in the whole fleet: spreads the live samples evenly over the interval. */
  index: number;
  /** The agent listener of its replica. */
  agentPort: number;
}

type ToWorker =
  | {
      type: 'connect';
      agents: WorkerAgentSpec[];
      total: number;
      ca: string;
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
  let agents: (SimAgent & { index: number; agentPort: number })[] = [];
  let cfg: Extract<ToWorker, { type: 'connect' }> | null = null;
  const sampleJson = (id: string, at: number) =>
    (cfg as NonNullable<typeof cfg>).templateJson
      .replace('"@ID@"', JSON.stringify(id))
      .replace('@TS@', new Date(at).toISOString());
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'connect') {
      cfg = m;
      agents = m.agents.map((a) => ({ ...a, ws: null, seq: 0, acked: 0, timer: null }));
      await pool(agents, 25, (a) => openChannel(a, m.ca, a.agentPort, m.interval));
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
  // An exit of its own on the bench's SIGTERM, so `node --cpu-prof` (which the workers
  // inherit) writes their profiles too.
  process.on('SIGTERM', () => process.exit(0));
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
else if (process.env.TYTO_INGEST_BENCH_WORKER === 'sse') sseWorker();
else runMain(main);
