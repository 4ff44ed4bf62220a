/**
 * Live-sample size: the JSON bytes of one `event: metrics` payload, full (`MetricsSnapshot`) and
 * as `toLiveSample` makes it, first (complete) and later (slow sections unchanged), for a snapshot
 * captured from a hub and for the same host given ~200 systemd services and a few containers. Also
 * the CPU time of one `toLiveSample` call.
 *
 *   npx nx run contracts:sample-size --sample=/path/to/snapshot.json
 * which runs
 *   npx esbuild tools/bench/live-sample-size.ts --bundle --platform=node --target=node20 \
 *     --tsconfig=tsconfig.base.json --packages=external --outfile=tmp/bench/live-sample-size.js
 *   node tmp/bench/live-sample-size.js --sample /path/to/snapshot.json
 *
 * Capture a snapshot with `curl -N -H 'authorization: Bearer …' http://HUB/api/v1/stream` and keep
 * one `data:` line.
 */
import { readFileSync } from 'node:fs';
import type { ContainerMetrics, MetricsSnapshot, SystemdService } from '@tyto/contracts';
import { MetricsSnapshotSchema, toLiveSample } from '@tyto/contracts';

const SERVICES = 200;
const CONTAINERS = 8;

function option(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// Names and descriptions in the mix `systemctl list-units --type=service --all` shows on a
// Debian server: a few dozen distinct daemons, then templated units.
function systemdServices(count: number): SystemdService[] {
  const daemons: [string, string][] = [
    ['ssh', 'OpenBSD Secure Shell server'],
    ['cron', 'Regular background program processing daemon'],
    ['nginx', 'A high performance web server and a reverse proxy server'],
    ['postgresql@15-main', 'PostgreSQL Cluster 15-main'],
    ['docker', 'Docker Application Container Engine'],
    ['containerd', 'containerd container runtime'],
    ['systemd-journald', 'Journal Service'],
    ['systemd-logind', 'User Login Management'],
    ['systemd-networkd', 'Network Configuration'],
    ['systemd-resolved', 'Network Name Resolution'],
    ['systemd-timesyncd', 'Network Time Synchronization'],
    ['systemd-udevd', 'Rule-based Manager for Device Events and Files'],
    ['dbus', 'D-Bus System Message Bus'],
    ['rsyslog', 'System Logging Service'],
    ['unattended-upgrades', 'Unattended Upgrades Shutdown'],
    ['apt-daily', 'Daily apt download activities'],
    ['apt-daily-upgrade', 'Daily apt upgrade and clean activities'],
    ['logrotate', 'Rotate log files'],
    ['man-db', 'Daily man-db regeneration'],
    ['e2scrub_reap', 'Remove Stale Online ext4 Metadata Check Snapshots'],
  ];
  return Array.from({ length: count }, (_, i): SystemdService => {
    const [name, description] =
      i < daemons.length
        ? daemons[i]
        : i % 3 === 0
          ? [`getty@tty${i}`, `Getty on tty${i}`]
          : i % 3 === 1
            ? [`user@${1000 + i}`, `User Manager for UID ${1000 + i}`]
            : [`systemd-fsck@dev-disk-by\\x2duuid-${i}`, `File System Check on /dev/disk/${i}`];
    const active = i % 4 !== 3;
    return {
      name: `${name}.service`,
      description,
      load: 'loaded',
      state: active ? 'active' : 'inactive',
      subState: active ? 'running' : 'dead',
    };
  });
}

function containers(count: number): ContainerMetrics[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `4f2a${i}c9e81b7d`,
    name: `app-${i}`,
    image: `registry.example.com/team/app-${i}:1.4.${i}`,
    status: 'Up 3 days (healthy)',
    state: 'running',
    health: 'healthy',
    restarts: 0,
    cpu: 0.42,
    memory: 123_456_789,
    memoryLimit: 2_147_483_648,
    networkRx: 12_345_678,
    networkTx: 2_345_678,
    blockRead: 45_678_912,
    blockWrite: 1_234_567,
  }));
}

function report(label: string, snapshot: MetricsSnapshot): void {
  // The next sample as an agent's would reach the hub: equal slow sections in new objects.
  const next = copy(snapshot);
  const first = toLiveSample(snapshot);
  const later = toLiveSample(next, snapshot);
  const rows = [...later.processes.topByCpu, ...later.processes.topByMemory];
  console.log(`\n${label}`);
  console.log(`  full snapshot        ${bytes(snapshot)} B`);
  console.log(`  live, first          ${bytes(first)} B`);
  console.log(`  live, later          ${bytes(later)} B`);
  console.log('  later, by section:');
  for (const [key, value] of Object.entries(later)) {
    console.log(`    ${key.padEnd(12)} ${String(bytes(value)).padStart(5)} B`);
  }
  console.log(
    `  process rows: ${rows.length}, ${Math.round(bytes(later.processes) / rows.length)} B each on average`,
  );

  const runs = 2000;
  const time = (a: MetricsSnapshot, b: MetricsSnapshot): number => {
    const start = process.cpuUsage();
    for (let i = 0; i < runs; i++) toLiveSample(a, b);
    const used = process.cpuUsage(start);
    return ((used.user + used.system) / runs) * 1000;
  };
  time(next, snapshot);
  console.log(
    `  toLiveSample, equal slow sections in new objects: ${time(next, snapshot).toFixed(0)} ns`,
  );
  const reused = { ...next, docker: { ...snapshot.docker }, systemd: { ...snapshot.systemd } };
  console.log(
    `  toLiveSample, same item arrays (local collector): ${time(reused, snapshot).toFixed(0)} ns`,
  );
}

const path = option('sample');
if (!path) {
  console.error('usage: live-sample-size --sample PATH (a MetricsSnapshot as JSON)');
  process.exit(2);
}
const captured = MetricsSnapshotSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
report(`Captured (${path})`, captured);
report(`Same host with ${SERVICES} systemd services and ${CONTAINERS} containers`, {
  ...captured,
  docker: { available: true, containers: containers(CONTAINERS) },
  systemd: { available: true, services: systemdServices(SERVICES) },
});
