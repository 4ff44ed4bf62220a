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
 */
import { createCollector } from '@tyto/collector';
import type { MetricsSnapshot } from '@tyto/contracts';
import { createKeyAndCsr } from '@tyto/pki';
import http from 'node:http';
import https from 'node:https';
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
    ...HUB_FLAGS,
  ]);
  const count = Math.floor(cli.num('agents', 1000));
  const interval = cli.num('interval', 5);
  const seconds = cli.num('seconds', 60);
  const backfillSeconds = cli.num('backfill-seconds', 20);
  const batch = Math.min(500, Math.max(1, Math.floor(cli.num('batch', 50))));
  const concurrency = Math.max(1, Math.floor(cli.num('concurrency', 8)));
  printHeader('agent-ingest-bench', 'Agent ingest: simulated agents over mutual TLS');
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; ${count} agents, one sample per ${interval} s for ${seconds} s, ` +
      `then back-fill batches of ${batch} for ${backfillSeconds} s\n`,
  );

  const agentPort = await freePort();
  const hub = await startHub(setup, {
    sampleInterval: interval,
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
      const id = `sim-${String(i).padStart(4, '0')}`;
      const made = await request('POST', `${hub.base}/api/v1/agents`, {
        token,
        json: { id, name: `Simulated ${i}` },
      });
      if (made.status !== 201)
        throw new Error(`POST /api/v1/agents ${id}: ${made.status} ${made.body}`);
      const { enrollment_token } = JSON.parse(made.body) as { enrollment_token: string };
      const { keyPem, csrPem } = createKeyAndCsr(id);
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

  // The channel: hello, then the hub's settings and acks.
  const connectStarted = Date.now();
  await pool(
    agents,
    50,
    (a) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`wss://127.0.0.1:${agentPort}/channel`, {
          ca: ca.body,
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
          if (msg.type === 'ack' && typeof msg.seq === 'number')
            a.acked = Math.max(a.acked, msg.seq);
        });
        ws.on('error', reject);
        ws.on('close', (code) => {
          if (a.ws === ws) a.ws = null;
          reject(new Error(`${a.id}: channel closed (${code})`));
        });
      }),
  );
  console.log(
    `connected ${agents.length} channels in ${round((Date.now() - connectStarted) / 1000)} s`,
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
  const bytes0 = agents.reduce((n, a) => n + wireBytes(a.ws), 0);
  const seq0 = agents.reduce((n, a) => n + a.seq, 0);
  counting = true;
  const cpuLive = cpuMeter(hub.pid);
  const liveStarted = Date.now();
  agents.forEach((a, i) => {
    const send = () => {
      a.seq += 1;
      a.ws?.send(`{"type":"sample","seq":${a.seq},"sample":${sampleJson(a.id, Date.now())}}`);
    };
    a.timer = setTimeout(
      () => {
        send();
        a.timer = setInterval(send, interval * 1000);
      },
      (i / agents.length) * interval * 1000,
    );
  });
  await sleep(seconds * 1000);
  for (const a of agents) if (a.timer) clearInterval(a.timer);
  const liveCpu = cpuLive();
  const liveSeconds = (Date.now() - liveStarted) / 1000;
  await sleep(2000);
  counting = false;
  const liveSent = agents.reduce((n, a) => n + a.seq, 0) - seq0;
  const liveBytes = agents.reduce((n, a) => n + wireBytes(a.ws), 0) - bytes0;
  const liveAcked = agents.reduce((n, a) => n + a.acked, 0);

  // Back-fill phase: batches as fast as the hub acknowledges them.
  const acked0 = agents.reduce((n, a) => n + a.acked, 0);
  const cpuFill = cpuMeter(hub.pid);
  const fillStarted = Date.now();
  const fillUntil = fillStarted + backfillSeconds * 1000;
  await Promise.all(
    agents.map(async (a) => {
      // Back-dated, one interval apart, ending an hour ago.
      let at = Date.now() - 3600_000 - backfillSeconds * 100 * interval * 1000;
      while (Date.now() < fillUntil && a.ws) {
        const parts: string[] = [];
        for (let k = 0; k < batch; k++) {
          a.seq += 1;
          at += interval * 1000;
          parts.push(`{"seq":${a.seq},"sample":${sampleJson(a.id, at)}}`);
        }
        a.ws.send(`{"type":"samples","samples":[${parts.join(',')}]}`);
        const want = a.seq;
        const deadline = Date.now() + 30_000;
        while (a.acked < want && Date.now() < deadline && a.ws) await sleep(5);
      }
    }),
  );
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  const fillCpu = cpuFill();
  const fillStored = agents.reduce((n, a) => n + a.acked, 0) - acked0;
  const rssEnd = rssMb(hub.pid);

  sse.destroy();
  for (const a of agents) a.ws?.close();
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
      ],
    )}`,
  );
  await hub.stop();
}

runMain(main);
