// The agent's own cost: RSS and CPU % of one core of a real tyto-agent.js process connected to a
// real hub over mTLS on loopback, and the bytes it puts on the wire per sample (TCP payload the
// kernel counts for its connection, TLS and WebSocket framing and heartbeats included).
//
//   npx nx run api:build && node tools/bench/agent-bench.mjs [--seconds 600] [--interval 5] [--plain]
//
// The agent runs as the systemd unit of apps/agent/install.sh runs it: with the unit's node flags
// (NODE_FLAGS) and MALLOC_ARENA_MAX, read from that script; --plain runs a bare `node tyto-agent.js`.
//
// Needs the built hub (dist/apps/api/main.js, which also writes dist/apps/api/downloads), `ss`
// (iproute2) and a free port pair in 19150–19199. Measured from outside through /proc.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 600);
const PLAIN = process.argv.includes('--plain');
const installSh = readFileSync('apps/agent/install.sh', 'utf8');
const unitValue = (name) => {
  const m = new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(installSh);
  if (!m) throw new Error(`apps/agent/install.sh sets no ${name}`);
  return m[1];
};
const NODE_FLAGS = PLAIN ? [] : unitValue('NODE_FLAGS').split(' ').filter(Boolean);
const AGENT_ENV = PLAIN ? {} : { MALLOC_ARENA_MAX: unitValue('MALLOC_ARENA_MAX') };
const INTERVAL = arg('interval', 5);
const PORT = 19150 + Math.floor(Math.random() * 24) * 2;
const AGENT_PORT = PORT + 1;
const PASSWORD = 'correct-horse-battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-bench-hub-'));
const stateDir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-bench-state-'));
const children = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const hub = spawn(process.execPath, ['dist/apps/api/main.js'], {
  env: {
    ...process.env,
    TYTO_DATA_DIR: dataDir,
    TYTO_PORT: String(PORT),
    TYTO_HOST: '127.0.0.1',
    TYTO_AGENT_PORT: String(AGENT_PORT),
    TYTO_ADMIN_PASSWORD: PASSWORD,
    TYTO_SAMPLE_INTERVAL: String(INTERVAL),
    TYTO_LOG_LEVEL: 'warn',
    TYTO_WEB_DIR: '',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
children.push(hub);
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/health/ready`)).ok) break;
  } catch {
    // not up yet
  }
  if (i > 120) throw new Error('hub did not start');
  await sleep(500);
}
const json = (r) => r.json();
const { token } = await fetch(`${base}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: PASSWORD }),
}).then(json);
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const { fingerprint } = await fetch(`${base}/api/v1/agents/ca`, { headers: auth }).then(json);
const created = await fetch(`${base}/api/v1/agents`, {
  method: 'POST',
  headers: auth,
  body: JSON.stringify({ id: 'bench', name: 'bench' }),
}).then(json);

const agent = spawn(
  process.execPath,
  [
    ...NODE_FLAGS,
    path.resolve('dist/apps/api/downloads/tyto-agent.js'),
    '--hub',
    `https://127.0.0.1:${AGENT_PORT}`,
    '--ca-fingerprint',
    fingerprint,
    '--token',
    created.enrollment_token,
    '--id',
    'bench',
    '--state-dir',
    stateDir,
    '--interval',
    String(INTERVAL),
  ],
  {
    cwd: stateDir,
    env: { PATH: process.env.PATH, ...AGENT_ENV },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
children.push(agent);
let connected;
const up = new Promise((r) => (connected = r));
agent.stderr.on('data', (c) => {
  if (/connected to the hub/.test(String(c))) connected();
});
await up;
// Let the first samples and the collector's slow sections settle before measuring.
await sleep(15_000);

const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
/** Bytes the agent's end of its channel sent so far (ss: bytes_sent of the TCP socket). */
const bytesSent = () => {
  const out = execFileSync('ss', ['-tinpH', 'dport', `= :${AGENT_PORT}`]).toString();
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(`pid=${agent.pid},`)) {
      const m = /bytes_sent:(\d+)/.exec(lines[i] + ' ' + (lines[i + 1] ?? ''));
      if (m) return Number(m[1]);
    }
  }
  return null;
};
const history = async () => {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const r = await fetch(
    `${base}/api/v1/history?agent_id=bench&resolution=raw&metrics=cpu&from=${from}`,
    { headers: auth },
  ).then(json);
  return r.data.length;
};

const t0 = Date.now();
const c0 = cpuTicks(agent.pid);
const b0 = bytesSent();
const s0 = await history();
const rss = [];
while (Date.now() - t0 < SECONDS * 1000) {
  await sleep(5000);
  rss.push(rssMb(agent.pid));
}
const elapsed = (Date.now() - t0) / 1000;
const cpuPct = ((cpuTicks(agent.pid) - c0) / TICK / elapsed) * 100;
const b1 = bytesSent();
await sleep(2000);
const samples = (await history()) - s0;
const out = {
  machine: `${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  agent: `${Object.entries(AGENT_ENV)
    .map(([k, v]) => `${k}=${v} `)
    .join('')}node ${[...NODE_FLAGS, 'tyto-agent.js'].join(' ')}`,
  seconds: Math.round(elapsed),
  interval: INTERVAL,
  samples,
  agentCpuPercentOfCore: Number(cpuPct.toFixed(3)),
  agentRssMb: {
    median: Number(rss.sort((a, b) => a - b)[Math.floor(rss.length / 2)].toFixed(1)),
    max: Number(Math.max(...rss).toFixed(1)),
  },
  bytesPerSample:
    b0 !== null && b1 !== null && samples > 0 ? Math.round((b1 - b0) / samples) : null,
};
console.log(JSON.stringify(out, null, 2));
process.exit(0);
