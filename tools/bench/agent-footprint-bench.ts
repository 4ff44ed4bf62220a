/**
 * What the agent costs the host it runs on: the real bundle (`tyto-agent.js`, built as the hub
 * serves it) enrolled with a token and streaming to a real hub at `--interval` seconds, for
 * `--seconds` after a 30 s warm-up: its RSS (read every 10 s) and CPU as % of one core, beside an
 * empty `node` process, and the bytes it puts on the wire per sample, counted by a loopback TCP
 * proxy between the agent and the hub's agent listener (TLS records, WebSocket framing,
 * permessage-deflate, heartbeats: everything).
 *
 *   node tools/build/build-node.mjs tools/bench/agent-footprint-bench.ts \
 *     dist/tools/agent-footprint-bench.js apps/api/tsconfig.app.json && \
 *     node dist/tools/agent-footprint-bench.js --hub dist/apps/api/main.js
 *
 * Options: --interval 5  --seconds 600  --hub  --web  --pg [URL]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  cpuMeter,
  describeHub,
  freePort,
  HUB_FLAGS,
  hubFromCli,
  login,
  markdownTable,
  median,
  onCleanup,
  parseCli,
  printHeader,
  request,
  round,
  runMain,
  rssMb,
  sleep,
  startHub,
  stopChild,
  track,
} from './bench-kit';

/** A loopback TCP relay to `port` that counts the bytes each way. */
function countingProxy(port: number): Promise<{ port: number; up: () => number; close(): void }> {
  let up = 0;
  const server = net.createServer((client) => {
    const hub = net.connect(port, '127.0.0.1');
    client.on('data', (c: Buffer) => (up += c.length));
    client.pipe(hub);
    hub.pipe(client);
    const end = () => {
      client.destroy();
      hub.destroy();
    };
    client.on('error', end).on('close', end);
    hub.on('error', end).on('close', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        up: () => up,
        close: () => server.close(),
      }),
    ),
  );
}

async function main(): Promise<void> {
  const cli = parseCli(['interval', 'seconds', ...HUB_FLAGS]);
  const interval = cli.num('interval', 5);
  const seconds = cli.num('seconds', 600);
  printHeader('agent-footprint-bench', 'The agent: RSS, CPU and bytes per sample');
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; one agent at ${interval} s for ${seconds} s after a 30 s warm-up\n`,
  );

  const bundle = mkdtempSync(path.join(tmpdir(), 'tyto-agent-bundle-'));
  onCleanup(() => rmSync(bundle, { recursive: true, force: true }));
  execFileSync(process.execPath, ['tools/build/build-agent.mjs', bundle], { stdio: 'pipe' });

  const agentPort = await freePort();
  const hub = await startHub(setup, {
    sampleInterval: interval,
    env: { TYTO_AGENT_PORT: String(agentPort) },
  });
  const token = await login(hub.base);
  const made = await request('POST', `${hub.base}/api/v1/agents`, {
    token,
    json: { id: 'footprint', name: 'Footprint' },
  });
  if (made.status !== 201) throw new Error(`POST /api/v1/agents: ${made.status} ${made.body}`);
  const { enrollment_token } = JSON.parse(made.body) as { enrollment_token: string };
  const ca = await request('GET', `${hub.base}/api/v1/agents/ca`, { token });
  const { fingerprint } = JSON.parse(ca.body) as { fingerprint: string };
  const proxy = await countingProxy(agentPort);
  onCleanup(() => proxy.close());

  const stateDir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-state-'));
  onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  const agent = track(
    spawn(
      process.execPath,
      [
        path.join(bundle, 'tyto-agent.js'),
        '--hub',
        `https://127.0.0.1:${proxy.port}`,
        '--ca-fingerprint',
        fingerprint,
        '--token',
        enrollment_token,
        '--id',
        'footprint',
        '--state-dir',
        stateDir,
      ],
      { cwd: stateDir, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] } },
    ),
  );
  agent.stderr?.on('data', (c: Buffer) => process.stderr.write(`[agent] ${c.toString()}`));
  const empty = track(
    spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' }),
  );

  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await request('GET', `${hub.base}/api/v1/agents/footprint`, { token });
    if (r.status === 200 && (JSON.parse(r.body) as { status: string }).status === 'online') break;
    if (Date.now() > deadline) throw new Error(`the agent did not come online: ${r.body}`);
    await sleep(500);
  }
  await sleep(30_000);

  const agentPid = agent.pid as number;
  const cpu = cpuMeter(agentPid);
  const up0 = proxy.up();
  const from = new Date().toISOString();
  const started = Date.now();
  const rss: number[] = [];
  const emptyRss: number[] = [];
  while (Date.now() - started < seconds * 1000) {
    await sleep(Math.min(10_000, seconds * 1000 - (Date.now() - started)));
    rss.push(rssMb(agentPid));
    emptyRss.push(rssMb(empty.pid as number));
  }
  const cpuPct = cpu();
  const upBytes = proxy.up() - up0;
  const history = await request(
    'GET',
    `${hub.base}/api/v1/history?agent_id=footprint&resolution=raw&from=${from}`,
    { token },
  );
  const samples = (JSON.parse(history.body) as { data: unknown[] }).data.length;

  console.log(
    `\n${markdownTable(
      ['measure', 'agent', 'empty node', 'target'],
      [
        [
          'RSS MB, median / max / at end',
          `${round(median(rss))} / ${round(Math.max(...rss))} / ${round(rss[rss.length - 1])}`,
          `${round(median(emptyRss))}`,
          '≤ 55 MB',
        ],
        [`CPU, % of one core over ${seconds} s`, String(round(cpuPct, 2)), '', '≤ 0.5 %'],
        [
          `bytes to the hub per sample (${upBytes} B for ${samples} samples stored)`,
          String(round(upBytes / Math.max(1, samples), 0)),
          '',
          '≤ 2,048',
        ],
      ],
    )}`,
  );
  await stopChild(agent);
  await stopChild(empty);
  await hub.stop();
}

runMain(main);
