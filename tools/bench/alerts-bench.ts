// Alert evaluator benchmark: the engine's cost per sample with many hosts and rules, as the hub
// runs it on every `metrics.sample` (rules in memory, no I/O).
//
//   node tools/build/build-node.mjs tools/bench/alerts-bench.ts dist/tools/alerts-bench.js \
//     apps/api/tsconfig.app.json && node dist/tools/alerts-bench.js
//
// Options: --hosts 1000 --rounds 50 --overrides 100
import { cpus, loadavg } from 'node:os';
import type { MetricsSnapshot } from '@tyto/contracts';
import { AlertEngine } from '../../apps/api/src/alerts/alert-engine';
import { DEFAULT_RULES, RuleSet, type StoredRule } from '../../apps/api/src/alerts/alert-rules';
import { snapshot } from '../../apps/api/src/test/samples';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : def;
};
const HOSTS = arg('hosts', 1000);
const ROUNDS = arg('rounds', 50);
const OVERRIDES = arg('overrides', 100);

// Every rule on, `for` 0 so values near the lines really raise and clear.
const stored: StoredRule[] = Object.entries(DEFAULT_RULES).map(([type, r]) => ({
  ...r,
  type: type as StoredRule['type'],
  agentId: null,
  enabled: true,
  for: 0,
}));
for (let h = 0; h < OVERRIDES; h++) {
  stored.push({ ...DEFAULT_RULES.memory, type: 'memory', agentId: `host-${h}`, warning: 70 });
}
const rules = new RuleSet(stored);
const engine = new AlertEngine((id) => rules.forHost(id));

/** A host snapshot with 4 mounts, 3 sensors, 2 GPUs, 3 containers and 3 units. */
function hostSample(h: number, round: number): MetricsSnapshot {
  const wobble = ((h * 7 + round * 13) % 20) - 10; // −10 … +9 around the lines
  const s = snapshot(`host-${h}`, 0, {
    cpu: 78 + wobble,
    memory: 60 + wobble,
    swap: 10,
    load: 1,
    temperature: 70 + wobble,
    gpu: 50,
    rootUsed: 75 + wobble,
  });
  s.disk.mounts.push(
    { ...s.disk.mounts[1], mountpoint: '/var' },
    { ...s.disk.mounts[1], mountpoint: '/home' },
  );
  s.temperature.sensors.push({ name: 'pch', value: 40, high: null, critical: null });
  s.gpu.gpus.push({ ...s.gpu.gpus[0], index: 1 });
  s.docker.available = true;
  const container = (name: string, state: string) => ({
    id: name,
    name,
    image: 'img',
    status: state,
    state,
    health: null,
    restarts: 0,
    cpu: 0,
    memory: 0,
    memoryLimit: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
  });
  s.docker.containers = [
    container('web', 'running'),
    container('db', 'running'),
    container('job', round % 10 === 0 ? 'exited' : 'running'),
  ];
  s.systemd.services.push(
    { ...s.systemd.services[0], name: 'ssh.service' },
    { ...s.systemd.services[0], name: 'cron.service' },
  );
  return s;
}

// Subject checks one sample makes (rule × subject): the "rules" a host is evaluated against.
const probe = hostSample(0, 1);
const checks =
  3 /* cpu, memory, swap */ +
  1 /* load */ +
  probe.disk.mounts.length * 2 +
  probe.temperature.sensors.length +
  probe.gpu.gpus.length * 2 +
  probe.docker.containers.length +
  probe.systemd.services.length;

// Samples are built before timing: the hub receives them already built.
const samples: MetricsSnapshot[][] = [];
for (let r = 0; r < ROUNDS; r++)
  samples.push(Array.from({ length: HOSTS }, (_, h) => hostSample(h, r)));

let transitions = 0;
const run = (r: number, now: number) => {
  for (const s of samples[r]) transitions += engine.evaluate(s, now).length;
};
// Warm-up round (JIT, first states).
run(0, 0);
transitions = 0;

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let r = 1; r < ROUNDS; r++) run(r, r * 5000);
const wallNs = Number(process.hrtime.bigint() - t0);
const cpu = process.cpuUsage(cpu0);
const n = (ROUNDS - 1) * HOSTS;

console.log(
  `CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, load ${loadavg()[0].toFixed(2)}, Node ${process.version}`,
);
console.log(
  `hosts ${HOSTS}, rule types ${Object.keys(DEFAULT_RULES).length} (all on), subject checks per sample ${checks}, host overrides ${OVERRIDES}`,
);
console.log(
  `samples evaluated ${n}, transitions ${transitions} (${((transitions / n) * 100).toFixed(1)} per 100 samples)`,
);
console.log(
  `wall µs/sample ${(wallNs / 1000 / n).toFixed(2)}, CPU µs/sample ${((cpu.user + cpu.system) / n).toFixed(2)}`,
);
console.log(`offline check over ${HOSTS} hosts:`);
const o0 = process.hrtime.bigint();
for (let i = 0; i < 100; i++) engine.checkOffline(ROUNDS * 5000, 5000);
console.log(`  µs per check ${(Number(process.hrtime.bigint() - o0) / 1000 / 100).toFixed(1)}`);
