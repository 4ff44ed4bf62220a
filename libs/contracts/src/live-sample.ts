import * as z from 'zod';
import type {
  DiskMount,
  MetricsSnapshot,
  NetworkInterfaceMetrics,
  ProcessSummary,
} from './metrics';
import {
  CpuSchema,
  DiskMountSchema,
  MetricsSnapshotSchema,
  NetworkInterfaceSchema,
  ProcessSummarySchema,
  SystemInfoSchema,
} from './metrics';

/**
 * The live sample: a `MetricsSnapshot` as sent over SSE (`event: metrics`), made small enough to
 * stream every few seconds. It keeps the snapshot's structure but
 * - cuts the command lines of the top-process lists to `LIVE_COMMAND_MAX` characters,
 * - leaves out a slow section (`gpu`, `docker`, `systemd`) that equals the one in the same
 *   agent's previous sample, and
 * - leaves out inventory, the fields that say what a thing is rather than what it does, where
 *   they equal the previous sample's for the same thing: the host's name, kernel, OS,
 *   architecture and boot time, the CPU model, a mount's device, type and sizes (by mount
 *   point), an interface's addresses and speed (by name), a process's name, user and command
 *   (by pid). Counters, rates and percentages are always sent.
 * The first sample a client gets for an agent is always complete.
 *
 * The hub builds it with `toLiveSample`; a client rebuilds complete snapshots with
 * `expandLiveSample` against the previous complete snapshot of the same agent.
 */

/** Longest command line in a live sample's top-process lists, the trailing `…` included. */
export const LIVE_COMMAND_MAX = 256;

/** Sections the collector refreshes on a slow timer, which a live sample omits while unchanged. */
export const LIVE_SLOW_SECTIONS = ['gpu', 'docker', 'systemd'] as const;
export type LiveSlowSection = (typeof LIVE_SLOW_SECTIONS)[number];

const { gpu, docker, systemd, disk, network, processes } = MetricsSnapshotSchema.shape;

/** Inventory fields, left out while unchanged (see above). */
const SYSTEM_INVENTORY = ['hostname', 'kernel', 'os', 'architecture', 'bootTime'] as const;
const MOUNT_INVENTORY = ['device', 'fstype', 'total', 'inodesTotal'] as const;
const INTERFACE_INVENTORY = ['ipv4', 'ipv6', 'mac', 'speed'] as const;
const PROCESS_INVENTORY = ['name', 'user', 'command'] as const;

const mask = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, true])) as { [P in K]: true };

const LiveProcessSchema = ProcessSummarySchema.partial(mask(PROCESS_INVENTORY));

export const LiveSampleSchema = MetricsSnapshotSchema.extend({
  /** Inventory fields absent: unchanged since the agent's previous sample. */
  system: SystemInfoSchema.partial(mask(SYSTEM_INVENTORY)),
  cpu: CpuSchema.partial({ model: true }),
  disk: disk.extend({ mounts: z.array(DiskMountSchema.partial(mask(MOUNT_INVENTORY))) }),
  network: network.extend({
    interfaces: z.array(NetworkInterfaceSchema.partial(mask(INTERFACE_INVENTORY))),
  }),
  processes: processes.extend({
    topByCpu: z.array(LiveProcessSchema),
    topByMemory: z.array(LiveProcessSchema),
  }),
  /** Absent: unchanged since the agent's previous sample. */
  gpu: gpu.optional(),
  /** Absent: unchanged since the agent's previous sample. */
  docker: docker.optional(),
  /** Absent: unchanged since the agent's previous sample. */
  systemd: systemd.optional(),
});
export type LiveSample = z.infer<typeof LiveSampleSchema>;

/** Why a slow section is unavailable when neither the live sample nor a previous one had it. */
export const LIVE_NOT_RECEIVED = 'not received yet';

/**
 * The live form of `snapshot`: commands cut, and each slow section left out when it equals the
 * one in `previous` (the same agent's previous sample). Without `previous`, every section is kept.
 * Pure: the inputs are not modified; unchanged parts of `snapshot` are shared, not copied.
 */
export function toLiveSample(snapshot: MetricsSnapshot, previous?: MetricsSnapshot): LiveSample {
  const { gpu, docker, systemd, ...rest } = snapshot;
  if (!previous) {
    return { ...rest, processes: cutProcesses(snapshot.processes), gpu, docker, systemd };
  }
  const previousProcesses = byKey(
    [...previous.processes.topByCpu, ...previous.processes.topByMemory],
    (p) => p.pid,
  );
  const liveProcess = (p: ProcessSummary) => {
    const row = withoutUnchanged(p, previousProcesses.get(p.pid), PROCESS_INVENTORY);
    if (row.command !== undefined) row.command = cutCommand(row.command);
    return row;
  };
  const { model, ...cpu } = snapshot.cpu;
  const mounts = byKey(previous.disk.mounts, (m) => m.mountpoint);
  const interfaces = byKey(previous.network.interfaces, (i) => i.name);
  const live: LiveSample = {
    ...rest,
    system: withoutUnchanged(snapshot.system, previous.system, SYSTEM_INVENTORY),
    cpu: model === previous.cpu.model ? cpu : snapshot.cpu,
    disk: {
      ...snapshot.disk,
      mounts: snapshot.disk.mounts.map((m) =>
        withoutUnchanged(m, mounts.get(m.mountpoint), MOUNT_INVENTORY),
      ),
    },
    network: {
      ...snapshot.network,
      interfaces: snapshot.network.interfaces.map((i) =>
        withoutUnchanged(i, interfaces.get(i.name), INTERFACE_INVENTORY),
      ),
    },
    processes: {
      ...snapshot.processes,
      topByCpu: snapshot.processes.topByCpu.map(liveProcess),
      topByMemory: snapshot.processes.topByMemory.map(liveProcess),
    },
  };
  if (!jsonEqual(gpu, previous.gpu)) live.gpu = gpu;
  if (!jsonEqual(docker, previous.docker)) live.docker = docker;
  if (!jsonEqual(systemd, previous.systemd)) live.systemd = systemd;
  return live;
}

/**
 * The complete snapshot a live sample stands for: each omitted slow section is taken from
 * `previous`, the last complete snapshot of the same agent, or reported unavailable
 * (`LIVE_NOT_RECEIVED`) without one. Cut command lines stay cut.
 */
export function expandLiveSample(live: LiveSample, previous?: MetricsSnapshot): MetricsSnapshot {
  const before = previous;
  const previousProcesses = byKey(
    before ? [...before.processes.topByCpu, ...before.processes.topByMemory] : [],
    (p) => p.pid,
  );
  const process = (p: z.infer<typeof LiveProcessSchema>): ProcessSummary => {
    const was = previousProcesses.get(p.pid);
    return {
      ...p,
      name: p.name ?? was?.name ?? '',
      user: p.user ?? was?.user ?? '',
      command: p.command ?? was?.command ?? '',
    };
  };
  const mounts = byKey(before?.disk.mounts ?? [], (m) => m.mountpoint);
  const interfaces = byKey(before?.network.interfaces ?? [], (i) => i.name);
  return {
    ...live,
    system: {
      ...live.system,
      hostname: live.system.hostname ?? before?.system.hostname ?? '',
      kernel: live.system.kernel ?? before?.system.kernel ?? '',
      os: live.system.os ?? before?.system.os ?? '',
      architecture: live.system.architecture ?? before?.system.architecture ?? '',
      bootTime: live.system.bootTime ?? before?.system.bootTime ?? '',
    },
    cpu: { ...live.cpu, model: live.cpu.model ?? before?.cpu.model ?? '' },
    disk: {
      ...live.disk,
      mounts: live.disk.mounts.map((m): DiskMount => {
        const was = mounts.get(m.mountpoint);
        return {
          ...m,
          device: m.device ?? was?.device ?? '',
          fstype: m.fstype ?? was?.fstype ?? '',
          total: m.total ?? was?.total ?? 0,
          inodesTotal: m.inodesTotal ?? was?.inodesTotal ?? 0,
        };
      }),
    },
    network: {
      ...live.network,
      interfaces: live.network.interfaces.map((i): NetworkInterfaceMetrics => {
        const was = interfaces.get(i.name);
        return {
          ...i,
          ipv4: i.ipv4 !== undefined ? i.ipv4 : (was?.ipv4 ?? null),
          ipv6: i.ipv6 !== undefined ? i.ipv6 : (was?.ipv6 ?? null),
          mac: i.mac !== undefined ? i.mac : (was?.mac ?? null),
          speed: i.speed !== undefined ? i.speed : (was?.speed ?? null),
        };
      }),
    },
    processes: {
      ...live.processes,
      topByCpu: live.processes.topByCpu.map(process),
      topByMemory: live.processes.topByMemory.map(process),
    },
    gpu: live.gpu ?? before?.gpu ?? { available: false, reason: LIVE_NOT_RECEIVED, gpus: [] },
    docker: live.docker ??
      before?.docker ?? { available: false, reason: LIVE_NOT_RECEIVED, containers: [] },
    systemd: live.systemd ??
      before?.systemd ?? { available: false, reason: LIVE_NOT_RECEIVED, services: [] },
  };
}

/** `row` without those of `keys` whose values equal `previous`'s (all of them kept without one). */
function withoutUnchanged<T extends object, K extends keyof T>(
  row: T,
  previous: T | undefined,
  keys: readonly K[],
): Omit<T, K> & Partial<Pick<T, K>> {
  if (!previous) return { ...row };
  const out: Partial<T> = { ...row };
  for (const k of keys) if (row[k] === previous[k]) delete out[k];
  return out as Omit<T, K> & Partial<Pick<T, K>>;
}

function byKey<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T> {
  return new Map(rows.map((r) => [key(r), r]));
}

function cutProcesses(p: MetricsSnapshot['processes']): MetricsSnapshot['processes'] {
  return { ...p, topByCpu: cutCommands(p.topByCpu), topByMemory: cutCommands(p.topByMemory) };
}

// `command` cut to LIVE_COMMAND_MAX characters, ending in `…` when cut.
function cutCommand(command: string): string {
  if (command.length <= LIVE_COMMAND_MAX) return command;
  let end = LIVE_COMMAND_MAX - 1;
  // Do not leave half of a surrogate pair before the ellipsis.
  const last = command.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${command.slice(0, end)}…`;
}

function cutCommands(processes: ProcessSummary[]): ProcessSummary[] {
  // The usual case, nothing to cut, keeps the array itself.
  if (processes.every((p) => p.command.length <= LIVE_COMMAND_MAX)) return processes;
  return processes.map((p) =>
    p.command.length <= LIVE_COMMAND_MAX ? p : { ...p, command: cutCommand(p.command) },
  );
}

// Equality as JSON sees it (undefined properties count as absent), without serialising: the
// collector hands out the same arrays between slow refreshes, so most comparisons end at `===`.
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key of Object.keys(x)) if (!jsonEqual(x[key], y[key])) return false;
  for (const key of Object.keys(y)) if (!(key in x) && y[key] !== undefined) return false;
  return true;
}
