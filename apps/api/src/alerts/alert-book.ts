import type { Alert, AlertChange } from '@tyto/contracts';
import type { Transition } from './alert-engine';
import { alertMessage } from './senders';

/** A silence as the book checks it. */
export interface SilenceWindow {
  agentId: string | null;
  startsAt: number;
  endsAt: number;
}

/** One change to persist and publish; `notify` says whether channels hear of it. */
export interface AlertEffect {
  change: AlertChange;
  alert: Alert;
  notify: boolean;
}

export function isSilenced(silences: readonly SilenceWindow[], agentId: string, at: number) {
  return silences.some(
    (s) => (s.agentId === null || s.agentId === agentId) && s.startsAt <= at && at < s.endsAt,
  );
}

/**
 * The active alerts and what each change means for notifications, without I/O. A new alert is
 * notified unless raised inside a silence (then it is recorded as silenced); escalation notifies
 * and clears an acknowledgement; stepping down is recorded quietly; clearing notifies when the
 * alert had been notified. Acknowledged and silenced alerts get no reminders.
 */
export class AlertBook {
  private readonly active = new Map<string, Alert>();
  /** Alerts that reached the channels at least once (so their clearing does too). */
  private readonly notified = new Set<string>();

  constructor(private silences: readonly SilenceWindow[] = []) {}

  setSilences(silences: readonly SilenceWindow[]): void {
    this.silences = silences;
  }

  restore(alerts: readonly Alert[], notifiedIds: Iterable<string>): void {
    for (const a of alerts) this.active.set(a.id, a);
    for (const id of notifiedIds) this.notified.add(id);
  }

  get activeCount(): number {
    return this.active.size;
  }

  get(id: string): Alert | undefined {
    return this.active.get(id);
  }

  list(): Alert[] {
    return [...this.active.values()];
  }

  wasNotified(id: string): boolean {
    return this.notified.has(id);
  }

  markNotified(id: string): void {
    this.notified.add(id);
  }

  /** Whether an active alert is due reminders at all (the channel decides how often). */
  remindable(a: Alert, now: number): boolean {
    return !a.acknowledged && !a.silenced && !isSilenced(this.silences, a.agent_id, now);
  }

  apply(transitions: readonly Transition[]): AlertEffect[] {
    return transitions.map((t) => this.applyOne(t));
  }

  acknowledge(id: string, by: string, now: number): AlertEffect | null {
    const a = this.active.get(id);
    if (!a) return null;
    if (a.acknowledged) return { change: 'acknowledged', alert: a, notify: false };
    const at = new Date(now).toISOString();
    const next: Alert = {
      ...a,
      acknowledged: true,
      acknowledged_at: at,
      acknowledged_by: by,
      updated_at: at,
    };
    this.active.set(id, next);
    return { change: 'acknowledged', alert: next, notify: false };
  }

  /**
   * Takes over acknowledgements recorded elsewhere (another replica's API) for alerts still at
   * the level they were acknowledged at; answers how many it took.
   */
  adoptAcknowledgements(stored: readonly Alert[]): number {
    let n = 0;
    for (const s of stored) {
      const a = this.active.get(s.id);
      if (!a || a.acknowledged || !s.acknowledged || s.level !== a.level) continue;
      this.active.set(s.id, {
        ...a,
        acknowledged: true,
        acknowledged_at: s.acknowledged_at,
        acknowledged_by: s.acknowledged_by,
      });
      n++;
    }
    return n;
  }

  private applyOne(t: Transition): AlertEffect {
    const at = new Date(t.at).toISOString();
    const quiet = isSilenced(this.silences, t.agentId, t.at);
    const prev = this.active.get(t.alertId);
    if (t.kind === 'raised' || !prev) {
      const alert: Alert = {
        id: t.alertId,
        type: t.type,
        level: t.level,
        value: t.value,
        threshold: t.threshold,
        agent_id: t.agentId,
        subject: t.subject,
        message: '',
        created_at: at,
        updated_at: at,
        resolved_at: t.kind === 'resolved' ? at : null,
        acknowledged: false,
        acknowledged_at: null,
        acknowledged_by: null,
        silenced: quiet,
      };
      alert.message = alertMessage(alert);
      if (t.kind !== 'resolved') this.active.set(t.alertId, alert);
      if (!quiet) this.notified.add(t.alertId);
      return { change: t.kind === 'resolved' ? 'resolved' : 'raised', alert, notify: !quiet };
    }
    switch (t.kind) {
      case 'escalated': {
        const alert = this.relevel(prev, t, at);
        // A worse level is news, acknowledged or not; only a silence keeps it quiet.
        alert.acknowledged = false;
        alert.acknowledged_at = null;
        alert.acknowledged_by = null;
        alert.silenced = quiet;
        this.active.set(t.alertId, alert);
        if (!quiet) this.notified.add(t.alertId);
        return { change: 'escalated', alert, notify: !quiet };
      }
      case 'deescalated': {
        const alert = this.relevel(prev, t, at);
        this.active.set(t.alertId, alert);
        return { change: 'deescalated', alert, notify: false };
      }
      case 'resolved': {
        const alert: Alert = { ...prev, resolved_at: at, updated_at: at };
        this.active.delete(t.alertId);
        const notify = this.notified.delete(t.alertId) && !quiet;
        return { change: 'resolved', alert, notify };
      }
    }
  }

  private relevel(prev: Alert, t: Transition, at: string): Alert {
    const alert: Alert = {
      ...prev,
      level: t.level,
      value: t.value,
      threshold: t.threshold,
      updated_at: at,
    };
    alert.message = alertMessage(alert);
    return alert;
  }
}
