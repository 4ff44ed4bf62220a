/**
 * HTTP throughput of the hub against a bare node:http server started in the same run, under
 * autocannon (programmatic API, in this process; both servers are child processes).
 *
 *   node tools/build/build-node.mjs tools/bench/http-bench.ts dist/tools/http-bench.js \
 *     apps/api/tsconfig.app.json && node dist/tools/http-bench.js
 *
 * Options: --connections 50  --duration 10 (s per case and run)  --runs 3  --warmup 2 (s, once
 *          per case, not counted)  --only health|me|history (comma-separated; the bare server
 *          always runs)  --cpu-prof DIR (profile the hub; summarise with
 *          `node tools/bench/profile-summary.mjs FILE`)  --hub dist/apps/api/main.js (skip the
 *          build)  --web DIR|none (default dist/apps/web/browser, built if missing)
 *          --pg [URL] (run the hub on a fresh PostgreSQL database on URL, default
 *          postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Runs are interleaved (bare, hub cases, bare, hub cases, …) so drift spreads over every case.
 * Any non-2xx answer or socket error fails the run (exit 1) after the table is printed.
 */
import autocannon from 'autocannon';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  childRole,
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
  parseCli,
  printHeader,
  ratio,
  request,
  round,
  runMain,
  sleep,
  startHub,
  stopChild,
} from './bench-kit';

const HUB_CASES = ['health', 'me', 'history'] as const;
type HubCase = (typeof HUB_CASES)[number];

interface Case {
  label: string;
  url: string;
  headers: Record<string, string>;
}

interface Run {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The bare baseline: GET /health with a body shaped like the hub's, nothing else. */
function bareServer(port: number): void {
  exitWithParent();
  const started = Date.now();
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      const body = JSON.stringify({
        status: 'ok',
        version: '0.1.0',
        uptime: Math.floor((Date.now() - started) / 1000),
      });
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(port, '127.0.0.1', () => process.send?.({ type: 'ready' }));
}

function historyWindow(to: number): string {
  const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());
  return `from=${iso(to - 3_600_000)}&to=${iso(to)}`;
}

async function load(c: Case, connections: number, duration: number): Promise<Run> {
  const r = await autocannon({
    url: c.url,
    connections,
    duration,
    headers: c.headers,
    timeout: 10,
  });
  return {
    reqPerSec: r.requests.total / (r.duration || duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

async function main(): Promise<void> {
  const cli = parseCli([
    'connections',
    'duration',
    'runs',
    'warmup',
    'only',
    'cpu-prof',
    'access-log',
    ...HUB_FLAGS,
  ]);
  const connections = cli.num('connections', 50);
  const duration = cli.num('duration', 10);
  const runs = Math.max(1, Math.floor(cli.num('runs', 3)));
  const warmup = cli.num('warmup', 2);
  const onlyRaw = cli.str('only');
  const only = onlyRaw ? onlyRaw.split(',') : [...HUB_CASES];
  for (const o of only) {
    if (!(HUB_CASES as readonly string[]).includes(o))
      throw new Error(`--only: one of ${HUB_CASES.join('|')}`);
  }
  const hubCases = HUB_CASES.filter((c) => only.includes(c));
  const cpuProfDir = cli.str('cpu-prof') || null;
  if (cli.flag('cpu-prof') && !cpuProfDir) throw new Error('--cpu-prof needs a directory');

  printHeader('http-bench', 'HTTP: hub vs bare node:http');
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; autocannon ${connections} connections, ${duration} s per case, ` +
      `${runs} interleaved run(s), ${warmup} s warm-up per case` +
      `${cli.flag('access-log') ? '; hub at TYTO_LOG_LEVEL=info, access lines to a file' : ''}\n`,
  );

  const barePort = await freePort();
  const bare = forkRole('bare-http', ['--port', String(barePort)]);
  await nextMessage(bare, 'ready', 10_000);

  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const profStart = Date.now();
  const accessLog = cli.flag('access-log');
  const hub = await startHub(setup, { sampleInterval: 1, cpuProfDir, accessLog });
  const token = await login(hub.base);
  const auth = { authorization: `Bearer ${token}` };

  const paths: Record<HubCase, { label: string; path: string; headers: Record<string, string> }> = {
    health: { label: 'hub GET /health', path: '/health', headers: {} },
    me: { label: 'hub GET /api/v1/auth/me (auth)', path: '/api/v1/auth/me', headers: auth },
    // The contract has no `range` parameter: one hour given as from/to, fixed so every run asks
    // for the same rows, ending when the 15 s of sampling below ends, at raw resolution (the 1m
    // tier would still be empty; cpu and memory, the default selection).
    history: {
      label: 'hub GET /api/v1/history, 1 h raw (auth)',
      path: `/api/v1/history?agent_id=local&resolution=raw&${historyWindow(hub.readyAt + 15_000)}`,
      headers: auth,
    },
  };
  const cases: Case[] = [
    {
      label: 'bare node:http GET /health',
      url: `http://127.0.0.1:${barePort}/health`,
      headers: {},
    },
    ...hubCases.map((c) => ({
      label: paths[c].label,
      url: `${hub.base}${paths[c].path}`,
      headers: paths[c].headers,
    })),
  ];

  if (hubCases.includes('history')) {
    const wait = hub.readyAt + 15_000 - Date.now();
    if (wait > 0) {
      console.log(`letting the hub sample for 15 s so the history has data …`);
      await sleep(wait);
    }
    const r = await request('GET', `${hub.base}${paths.history.path}`, { token });
    if (r.status !== 200) throw new Error(`history: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    const h = JSON.parse(r.body) as { data: unknown[]; resolution: string };
    console.log(
      `history answer: ${h.data.length} points at ${h.resolution}, ${Buffer.byteLength(r.body)} bytes`,
    );
  }
  for (const c of cases) {
    const r = await request('GET', c.url, { token: c.headers['authorization']?.slice(7) });
    if (r.status !== 200) throw new Error(`${c.label}: HTTP ${r.status} before the load`);
  }

  if (warmup > 0) {
    for (const c of cases) await load(c, connections, warmup);
  }
  const results = new Map<string, Run[]>(cases.map((c) => [c.label, []]));
  for (let run = 1; run <= runs; run++) {
    for (const c of cases) {
      const r = await load(c, connections, duration);
      results.get(c.label)?.push(r);
      console.log(
        `run ${run}/${runs} ${c.label}: ${round(r.reqPerSec, 0)} req/s, p50 ${r.p50} ms, ` +
          `p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`,
      );
    }
  }

  const bareMedian = median(results.get(cases[0].label)?.map((r) => r.reqPerSec) ?? []);
  const rows = cases.map((c) => {
    const rs = results.get(c.label) ?? [];
    const rps = rs.map((r) => r.reqPerSec);
    return [
      c.label,
      round(median(rps), 0).toLocaleString('en'),
      rs.length > 1
        ? `${round(Math.min(...rps), 0).toLocaleString('en')}–${round(Math.max(...rps), 0).toLocaleString('en')}`
        : '—',
      String(median(rs.map((r) => r.p50))),
      String(median(rs.map((r) => r.p99))),
      String(rs.reduce((a, r) => a + r.non2xx, 0)),
      String(rs.reduce((a, r) => a + r.errors + r.timeouts, 0)),
      ratio(median(rps), bareMedian),
    ];
  });
  console.log(
    `\n${markdownTable(
      [
        'case',
        'req/s (median)',
        'spread (min–max)',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'errors + timeouts',
        'vs bare',
      ],
      rows,
    )}\n`,
  );
  console.log(
    'Note: autocannon runs in this process and shares the cores with the server under test; on a ' +
      'small machine the bare figure is partly the load generator’s own limit.',
  );

  await stopChild(bare);
  if (accessLog) console.log(`\nhub log written: ${round(hub.logBytes() / 1e6, 1)} MB`);
  await hub.stop();
  if (cpuProfDir) {
    const profiles = readdirSync(cpuProfDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(cpuProfDir, f))
      .filter((f) => statSync(f).mtimeMs >= profStart);
    if (profiles.length === 0) console.log(`\nno .cpuprofile was written in ${cpuProfDir}`);
    for (const f of profiles) {
      console.log(
        `\nhub CPU profile: ${f}\nsummarise it with:  node tools/bench/profile-summary.mjs ${f}`,
      );
    }
  }

  const bad = [...results].filter(([, rs]) =>
    rs.some((r) => r.non2xx > 0 || r.errors > 0 || r.timeouts > 0),
  );
  if (bad.length > 0) {
    console.error(
      `\nFAILED: non-2xx answers or socket errors in: ${bad.map(([l]) => l).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

if (childRole() === 'bare-http')
  bareServer(Number(process.argv[process.argv.indexOf('--port') + 1]));
else runMain(main);
