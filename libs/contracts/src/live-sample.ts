import type * as z from 'zod';
import type { MetricsSnapshot, ProcessSummary } from './metrics';
import { MetricsSnapshotSchema } from './metrics';

/**
 * The live sample: a `MetricsSnapshot` as sent over SSE (`event: metrics`), made small enough to
 * stream every few seconds. It keeps the snapshot's structure but
 * - cuts the command lines of the top-process lists to `LIVE_COMMAND_MAX` characters, and
 * - leaves out a slow section (`gpu`, `docker`, `systemd`) that equals the one in the same
 *   agent's previous sample. The first sample a client gets for an agent is always complete.
 *
 * The hub builds it with `toLiveSample`; a client rebuilds complete snapshots with
 * `expandLiveSample` against the previous complete snapshot of the same agent.
 */

/** Longest command line in a live sample's top-process lists, the trailing `…` included. */
export const LIVE_COMMAND_MAX = 256;

/** Sections the collector refreshes on a slow timer, which a live sample omits while unchanged. */
export const LIVE_SLOW_SECTIONS = ['gpu', 'docker', 'systemd'] as const;
export type LiveSlowSection = (typeof LIVE_SLOW_SECTIONS)[number];

const { gpu, docker, systemd } = MetricsSnapshotSchema.shape;

export const LiveSampleSchema = MetricsSnapshotSchema.extend({
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
  const live: LiveSample = {
    ...rest,
    processes: {
      ...snapshot.processes,
      topByCpu: cutCommands(snapshot.processes.topByCpu),
      topByMemory: cutCommands(snapshot.processes.topByMemory),
    },
  };
  if (!previous || !jsonEqual(gpu, previous.gpu)) live.gpu = gpu;
  if (!previous || !jsonEqual(docker, previous.docker)) live.docker = docker;
  if (!previous || !jsonEqual(systemd, previous.systemd)) live.systemd = systemd;
  return live;
}

/**
 * The complete snapshot a live sample stands for: each omitted slow section is taken from
 * `previous`, the last complete snapshot of the same agent, or reported unavailable
 * (`LIVE_NOT_RECEIVED`) without one. Cut command lines stay cut.
 */
export function expandLiveSample(live: LiveSample, previous?: MetricsSnapshot): MetricsSnapshot {
  return {
    ...live,
    gpu: live.gpu ?? previous?.gpu ?? { available: false, reason: LIVE_NOT_RECEIVED, gpus: [] },
    docker: live.docker ??
      previous?.docker ?? { available: false, reason: LIVE_NOT_RECEIVED, containers: [] },
    systemd: live.systemd ??
      previous?.systemd ?? { available: false, reason: LIVE_NOT_RECEIVED, services: [] },
  };
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
