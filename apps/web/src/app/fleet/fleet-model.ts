import type { Agent, AgentStatus, MetricsSnapshot, NetworkInterfaceMetrics } from '@tyto/contracts';
import { LOCAL_AGENT_ID } from '@tyto/contracts';

/** One point of a card's sparkline: CPU % at a time. */
export interface SparkPoint {
  time: number;
  cpu: number;
}

/** What one card of the fleet overview shows. */
export interface FleetHost {
  id: string;
  name: string;
  hostname: string | null;
  status: AgentStatus;
  /** Null: no sample received (pending, revoked, or not sampled yet). */
  cpu: number | null;
  memory: number | null;
  busiestDisk: { mountpoint: string; usedPercent: number } | null;
  network: { rxRate: number; txRate: number } | null;
  lastSample: string | null;
  spark: readonly SparkPoint[];
  /** Active alerts on the host; null when not known (no alerts:view, or not read yet). */
  alerts: number | null;
}

export type FleetSortKey = 'name' | 'status' | 'cpu' | 'memory' | 'disk';
export type FleetStatusFilter = AgentStatus | 'all';

/** How long a card's sparkline reaches back. */
export const SPARK_WINDOW_MS = 60 * 60 * 1000;

// Attention first: a host that stopped reporting matters more than one that is fine.
const STATUS_ORDER: Record<AgentStatus, number> = { offline: 0, pending: 1, online: 2, revoked: 3 };

export function busiestDisk(snapshot: Pick<MetricsSnapshot, 'disk'>): FleetHost['busiestDisk'] {
  let best: FleetHost['busiestDisk'] = null;
  for (const m of snapshot.disk.mounts) {
    if (!best || m.usedPercent > best.usedPercent)
      best = { mountpoint: m.mountpoint, usedPercent: m.usedPercent };
  }
  return best;
}

// Interface totals without loopback (the host talking to itself); a host with only loopback
// still gets its numbers.
export function networkTotals(interfaces: readonly NetworkInterfaceMetrics[]): {
  rxRate: number;
  txRate: number;
} {
  const external = interfaces.filter((i) => i.name !== 'lo');
  const counted = external.length > 0 ? external : interfaces;
  return {
    rxRate: counted.reduce((sum, i) => sum + i.rxRate, 0),
    txRate: counted.reduce((sum, i) => sum + i.txRate, 0),
  };
}

/** Points of the last `SPARK_WINDOW_MS` before `now`, oldest first, with `point` added. */
export function appendSpark(
  points: readonly SparkPoint[],
  point: SparkPoint,
  now: number,
): SparkPoint[] {
  const last = points[points.length - 1];
  const kept = points.filter((p) => p.time > now - SPARK_WINDOW_MS);
  if (last && point.time <= last.time) return kept;
  return [...kept, point];
}

/**
 * The cards: every registered agent, plus any host the stream reports that the registry list
 * does not (a user without agents:view sees no registry list at all). A host sampled but not in
 * the registry is online while samples arrive; its status otherwise comes from the registry.
 */
export function fleetHosts(
  agents: readonly Agent[] | null,
  samples: ReadonlyMap<string, MetricsSnapshot>,
  sparks: ReadonlyMap<string, readonly SparkPoint[]>,
  alerts: ReadonlyMap<string, number> | null = null,
): FleetHost[] {
  const hosts = new Map<string, FleetHost>();
  const card = (id: string, agent: Agent | undefined): FleetHost => {
    const sample = samples.get(id);
    // A revoked or pending host shows no figures, even when an old sample is still around.
    const status: AgentStatus = agent?.status ?? 'online';
    const live = sample && (status === 'online' || status === 'offline') ? sample : undefined;
    return {
      id,
      name: agent?.name ?? sample?.system.hostname ?? id,
      hostname: agent?.hostname ?? sample?.system.hostname ?? null,
      status,
      cpu: live ? live.cpu.totalUsage : null,
      memory: live ? live.memory.usedPercent : null,
      busiestDisk: live ? busiestDisk(live) : null,
      network: live ? networkTotals(live.network.interfaces) : null,
      lastSample: sample?.timestamp ?? null,
      spark: live ? (sparks.get(id) ?? []) : [],
      alerts: alerts ? (alerts.get(id) ?? 0) : null,
    };
  };
  for (const agent of agents ?? []) hosts.set(agent.id, card(agent.id, agent));
  for (const id of samples.keys()) if (!hosts.has(id)) hosts.set(id, card(id, undefined));
  return [...hosts.values()];
}

export function filterHosts(
  hosts: readonly FleetHost[],
  text: string,
  status: FleetStatusFilter,
): FleetHost[] {
  const needle = text.trim().toLowerCase();
  return hosts.filter(
    (h) =>
      (status === 'all' || h.status === status) &&
      (needle === '' ||
        h.id.toLowerCase().includes(needle) ||
        h.name.toLowerCase().includes(needle) ||
        (h.hostname ?? '').toLowerCase().includes(needle)),
  );
}

/**
 * Sorted by `key`: name ascending, status attention first, figures highest first (hosts without
 * figures last). `local` leads among equals so the hub's own host is easy to find.
 */
export function sortHosts(hosts: readonly FleetHost[], key: FleetSortKey): FleetHost[] {
  const figure = (h: FleetHost): number | null =>
    key === 'cpu'
      ? h.cpu
      : key === 'memory'
        ? h.memory
        : key === 'disk'
          ? (h.busiestDisk?.usedPercent ?? null)
          : null;
  const byName = (a: FleetHost, b: FleetHost) =>
    Number(b.id === LOCAL_AGENT_ID) - Number(a.id === LOCAL_AGENT_ID) ||
    a.name.localeCompare(b.name) ||
    a.id.localeCompare(b.id);
  return [...hosts].sort((a, b) => {
    if (key === 'status') return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || byName(a, b);
    if (key === 'name') return byName(a, b);
    const fa = figure(a);
    const fb = figure(b);
    if (fa === null || fb === null)
      return (fa === null ? 1 : 0) - (fb === null ? 1 : 0) || byName(a, b);
    return fb - fa || byName(a, b);
  });
}

/**
 * SVG path (viewBox 0 0 `width` `height`) of CPU % over the last hour before `now`; while a host
 * has less than an hour of data the line spans what there is, so a new host is not a thin stripe.
 */
export function sparkPath(
  points: readonly SparkPoint[],
  now: number,
  width: number,
  height: number,
): string {
  return sparkCoords(points, now, width, height)
    .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
}

/** The sparkline closed down to the baseline, so a flat line at 0 % or 100 % still reads. */
export function sparkArea(
  points: readonly SparkPoint[],
  now: number,
  width: number,
  height: number,
): string {
  const coords = sparkCoords(points, now, width, height);
  if (coords.length === 0) return '';
  const first = coords[0][0].toFixed(1);
  const last = coords[coords.length - 1][0].toFixed(1);
  const h = height.toFixed(1);
  return `${sparkPath(points, now, width, height)} L${last},${h} L${first},${h} Z`;
}

function sparkCoords(
  points: readonly SparkPoint[],
  now: number,
  width: number,
  height: number,
): [number, number][] {
  if (points.length < 2) return [];
  const start = Math.max(now - SPARK_WINDOW_MS, points[0].time);
  const span = Math.max(now - start, 1);
  return points.map((p) => [
    Math.min(width, Math.max(0, ((p.time - start) / span) * width)),
    height - (Math.min(100, Math.max(0, p.cpu)) / 100) * height,
  ]);
}

/** Active alerts per host, from alert ids mapped to the host each is on. */
export function alertCounts(active: ReadonlyMap<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const agentId of active.values()) counts.set(agentId, (counts.get(agentId) ?? 0) + 1);
  return counts;
}
