import type { AlertLevel, AlertType, MetricsSnapshot } from '@tyto/contracts';
import { randomUUID } from 'node:crypto';

/** A rule as the engine applies it to one host (the host's override, else the global rule). */
export interface EngineRule {
  type: AlertType;
  enabled: boolean;
  warning: number | null;
  critical: number | null;
  forMs: number;
  hysteresis: number;
  /** State types' level. */
  level: AlertLevel;
  /** host_offline: missed intervals. */
  intervals: number;
}

/** 0: no alert, 1: warning, 2: critical. */
type Rank = 0 | 1 | 2;
const LEVEL_RANK: Record<AlertLevel, Rank> = { warning: 1, critical: 2 };
const RANK_LEVEL = [null, 'warning', 'critical'] as const;

export type TransitionKind = 'raised' | 'escalated' | 'deescalated' | 'resolved';

/** One change of one (host, type, subject): what the evaluator persists and notifies. */
export interface Transition {
  kind: TransitionKind;
  alertId: string;
  agentId: string;
  type: AlertType;
  subject: string;
  /** The level after the change; for `resolved`, the level it had. */
  level: AlertLevel;
  value: number;
  threshold: number | null;
  at: number;
}

/** An active alert as the engine knows it, to restore after a restart. */
export interface ActiveAlertState {
  id: string;
  agentId: string;
  type: AlertType;
  subject: string;
  level: AlertLevel;
}

/**
 * A condition that started or stopped pending (holding, but not yet for its rule's `for`): what
 * the evaluator persists so a restart does not start `for` afresh. `since` null: it stopped.
 */
export interface PendingChange {
  agentId: string;
  type: AlertType;
  subject: string;
  since: number | null;
}

/** A pending condition to restore. */
export interface PendingState {
  agentId: string;
  type: AlertType;
  subject: string;
  since: number;
}

interface SubjectState {
  rank: Rank;
  pendingSince: number | null;
  alertId: string | null;
  /** Sample generation that last saw the subject. */
  seen: number;
}

interface HostState {
  lastSeen: number;
  generation: number;
  types: Map<AlertType, Map<string, SubjectState>>;
}

type Visit = (subject: string, value: number) => void;

/** Each type's values in a sample, one call per subject, without building arrays. */
const EXTRACT: Record<
  Exclude<AlertType, 'host_offline'>,
  (s: MetricsSnapshot, v: Visit) => void
> = {
  cpu: (s, v) => v('', s.cpu.totalUsage),
  memory: (s, v) => v('', s.memory.usedPercent),
  swap: (s, v) => {
    if (s.memory.swapTotal > 0) v('', s.memory.swapPercent);
  },
  load: (s, v) => v('', s.cpu.loadAverage.one / Math.max(1, s.cpu.cores.length)),
  disk: (s, v) => {
    for (const m of s.disk.mounts) v(m.mountpoint, m.usedPercent);
  },
  inodes: (s, v) => {
    for (const m of s.disk.mounts) if (m.inodesTotal > 0) v(m.mountpoint, m.inodesPercent);
  },
  temperature: (s, v) => {
    for (const t of s.temperature.sensors) v(t.name, t.value);
  },
  gpu: (s, v) => {
    for (const g of s.gpu.gpus) if (g.utilization !== null) v(String(g.index), g.utilization);
  },
  gpu_temperature: (s, v) => {
    for (const g of s.gpu.gpus) if (g.temperature !== null) v(String(g.index), g.temperature);
  },
  container: (s, v) => {
    for (const c of s.docker.containers) {
      const stopped = c.state === 'exited' || c.state === 'dead';
      v(c.name, stopped || c.health === 'unhealthy' ? 1 : 0);
    }
  },
  systemd: (s, v) => {
    for (const u of s.systemd.services) v(u.name, u.state === 'failed' ? 1 : 0);
  },
};

/**
 * The alert state machine, fed one sample at a time (no I/O, no timers: the caller passes the
 * time). Per (host, type, subject) it holds one state: a level is raised once the condition has
 * held for the rule's `for`, steps up at once when it is already active (after `for` again),
 * and steps down or clears only once the value falls below the line minus the hysteresis. Cost
 * per sample: one pass over the host's rules and their subjects.
 */
export class AlertEngine {
  private readonly hosts = new Map<string, HostState>();
  private pendingChanges: PendingChange[] = [];

  constructor(private readonly rulesFor: (agentId: string) => readonly EngineRule[]) {}

  /** Restores active alerts (after a restart) so they are neither forgotten nor raised again. */
  restore(active: readonly ActiveAlertState[], now: number): void {
    for (const a of active) {
      const host = this.host(a.agentId, now);
      this.subjects(host, a.type).set(a.subject, {
        rank: LEVEL_RANK[a.level],
        pendingSince: null,
        alertId: a.id,
        seen: host.generation,
      });
    }
  }

  /**
   * Restores pending conditions (after `restore`), so a long `for` goes on where it was rather
   * than starting again; the caller shifts `since` past the time nobody was watching.
   */
  restorePending(pending: readonly PendingState[], now: number): void {
    for (const p of pending) {
      const host = this.host(p.agentId, now);
      const subjects = this.subjects(host, p.type);
      const st = subjects.get(p.subject);
      if (st) st.pendingSince = p.since;
      else
        subjects.set(p.subject, {
          rank: 0,
          pendingSince: p.since,
          alertId: null,
          seen: host.generation,
        });
    }
  }

  /** Pending conditions that started or stopped since the last call, in order. */
  takePendingChanges(): PendingChange[] {
    const out = this.pendingChanges;
    this.pendingChanges = [];
    return out;
  }

  /** Active alerts across every host. */
  activeCount(): number {
    let n = 0;
    for (const h of this.hosts.values()) {
      for (const subjects of h.types.values()) for (const s of subjects.values()) if (s.rank) n++;
    }
    return n;
  }

  evaluate(sample: MetricsSnapshot, now: number): Transition[] {
    const agentId = sample.agent_id;
    const host = this.host(agentId, now);
    host.lastSeen = now;
    const gen = ++host.generation;
    const out: Transition[] = [];
    const rules = this.rulesFor(agentId);
    for (const rule of rules) {
      if (rule.type === 'host_offline') continue;
      const subjects = this.subjects(host, rule.type);
      if (rule.enabled) {
        EXTRACT[rule.type](sample, (subject, value) => {
          let st = subjects.get(subject);
          if (!st) {
            // Nothing to remember for a subject that is fine.
            if (this.desired(rule, 0, value) === 0) return;
            st = { rank: 0, pendingSince: null, alertId: null, seen: gen };
            subjects.set(subject, st);
          }
          st.seen = gen;
          const wasPending = st.pendingSince;
          this.step(out, agentId, rule, subject, st, value, now);
          // Only a pending that outlives the sample is news (a `for` of 0 raises at once).
          if ((wasPending === null) !== (st.pendingSince === null)) {
            this.pendingChanges.push({ agentId, type: rule.type, subject, since: st.pendingSince });
          }
          if (st.rank === 0 && st.pendingSince === null) subjects.delete(subject);
        });
      }
      // Subjects that went away (a mount, a container) or a disabled rule: clear their alerts.
      for (const [subject, st] of subjects) {
        if (st.seen === gen) continue;
        if (st.pendingSince !== null) {
          this.pendingChanges.push({ agentId, type: rule.type, subject, since: null });
        }
        if (st.rank > 0) out.push(this.resolve(agentId, rule.type, subject, st, 0, now));
        subjects.delete(subject);
      }
    }
    const offline = host.types.get('host_offline')?.get('');
    if (offline && offline.rank > 0) {
      out.push(this.resolve(agentId, 'host_offline', '', offline, 0, now));
      host.types.get('host_offline')?.delete('');
    }
    return out;
  }

  /**
   * Raises `host_offline` for every host whose last sample is older than its rule's intervals ×
   * the sampling interval. O(hosts); run every second or so.
   */
  checkOffline(now: number, intervalMs: number): Transition[] {
    const out: Transition[] = [];
    for (const [agentId, host] of this.hosts) {
      const rule = this.rulesFor(agentId).find((r) => r.type === 'host_offline');
      if (!rule?.enabled) continue;
      const subjects = this.subjects(host, 'host_offline');
      const st = subjects.get('');
      if (st && st.rank > 0) continue;
      const silentMs = now - host.lastSeen;
      if (silentMs < rule.intervals * intervalMs + rule.forMs) continue;
      const id = randomUUID();
      subjects.set('', { rank: LEVEL_RANK[rule.level], pendingSince: null, alertId: id, seen: 0 });
      out.push({
        kind: 'raised',
        alertId: id,
        agentId,
        type: 'host_offline',
        subject: '',
        level: rule.level,
        value: Math.round(silentMs / 1000),
        threshold: null,
        at: now,
      });
    }
    return out;
  }

  /**
   * Watches a host that has sent nothing yet to this engine (a restart, a takeover): from
   * `lastSeen` on, its silence counts towards `host_offline` like any host's. A host already
   * watched keeps the newer time.
   */
  watch(agentId: string, lastSeen: number): void {
    const h = this.host(agentId, lastSeen);
    h.lastSeen = Math.max(h.lastSeen, lastSeen);
  }

  /** Stops watching a host (an agent removed): its alerts are the caller's to close. */
  forget(agentId: string): void {
    const host = this.hosts.get(agentId);
    for (const [type, subjects] of host?.types ?? []) {
      for (const [subject, st] of subjects) {
        if (st.pendingSince !== null)
          this.pendingChanges.push({ agentId, type, subject, since: null });
      }
    }
    this.hosts.delete(agentId);
  }

  private step(
    out: Transition[],
    agentId: string,
    rule: EngineRule,
    subject: string,
    st: SubjectState,
    value: number,
    now: number,
  ): void {
    const want = this.desired(rule, st.rank, value);
    if (want > st.rank) {
      st.pendingSince ??= now;
      if (now - st.pendingSince < rule.forMs) return;
      st.pendingSince = null;
      const kind: TransitionKind = st.rank === 0 ? 'raised' : 'escalated';
      st.alertId ??= randomUUID();
      st.rank = want;
      out.push({
        kind,
        alertId: st.alertId,
        agentId,
        type: rule.type,
        subject,
        level: RANK_LEVEL[want] as AlertLevel,
        value,
        threshold: this.line(rule, want),
        at: now,
      });
    } else if (want < st.rank) {
      st.pendingSince = null;
      if (want === 0) {
        out.push(this.resolve(agentId, rule.type, subject, st, value, now));
        return;
      }
      st.rank = want;
      out.push({
        kind: 'deescalated',
        alertId: st.alertId as string,
        agentId,
        type: rule.type,
        subject,
        level: RANK_LEVEL[want] as AlertLevel,
        value,
        threshold: this.line(rule, want),
        at: now,
      });
    } else {
      st.pendingSince = null;
    }
  }

  /** The level a value calls for, given the level already active (hysteresis holds it). */
  private desired(rule: EngineRule, current: Rank, value: number): Rank {
    if (rule.type === 'container' || rule.type === 'systemd') {
      return value >= 1 ? LEVEL_RANK[rule.level] : 0;
    }
    const h = rule.hysteresis;
    const { warning, critical } = rule;
    if (critical !== null && (value >= critical || (current === 2 && value >= critical - h))) {
      return 2;
    }
    if (warning !== null && (value >= warning || (current >= 1 && value >= warning - h))) return 1;
    // Only a critical line: an active critical alert is held by its own hysteresis above.
    return 0;
  }

  private line(rule: EngineRule, rank: Rank): number | null {
    if (rule.type === 'container' || rule.type === 'systemd') return null;
    return rank === 2 ? rule.critical : rule.warning;
  }

  private resolve(
    agentId: string,
    type: AlertType,
    subject: string,
    st: SubjectState,
    value: number,
    now: number,
  ): Transition {
    const t: Transition = {
      kind: 'resolved',
      alertId: st.alertId as string,
      agentId,
      type,
      subject,
      level: RANK_LEVEL[st.rank] as AlertLevel,
      value,
      threshold: null,
      at: now,
    };
    st.rank = 0;
    st.alertId = null;
    st.pendingSince = null;
    return t;
  }

  private host(agentId: string, now: number): HostState {
    let h = this.hosts.get(agentId);
    if (!h) {
      h = { lastSeen: now, generation: 0, types: new Map() };
      this.hosts.set(agentId, h);
    }
    return h;
  }

  private subjects(host: HostState, type: AlertType): Map<string, SubjectState> {
    let m = host.types.get(type);
    if (!m) {
      m = new Map();
      host.types.set(type, m);
    }
    return m;
  }
}
