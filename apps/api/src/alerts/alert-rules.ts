import {
  ALERT_TYPES,
  type AlertConfig,
  type AlertLevel,
  type AlertRule,
  type AlertType,
} from '@tyto/contracts';
import type { EngineRule } from './alert-engine';

export type RuleSettings = Omit<AlertRule, 'id' | 'type' | 'agent_id' | 'customized'>;

const numeric = (
  warning: number,
  critical: number,
  forSeconds = 0,
  hysteresis = 5,
  enabled = true,
): RuleSettings => ({
  enabled,
  warning,
  critical,
  for: forSeconds,
  hysteresis,
  level: 'warning',
  intervals: 3,
});
const state = (level: AlertLevel, intervals = 3): RuleSettings => ({
  enabled: true,
  warning: null,
  critical: null,
  for: 0,
  hysteresis: 0,
  level,
  intervals,
});

/**
 * The built-in global rules. The REST contract's three thresholds fire on the next sample
 * (`for` 0); noisier signals must hold for a minute. Hysteresis is 5 points (°C for
 * temperatures, 0.5 for load per core). GPU utilisation is off: a busy GPU is its job.
 */
export const DEFAULT_RULES: Record<AlertType, RuleSettings> = {
  cpu: numeric(80, 95),
  memory: numeric(85, 95),
  disk: numeric(80, 90),
  swap: numeric(80, 95),
  load: numeric(2, 4, 60, 0.5),
  inodes: numeric(80, 90),
  temperature: numeric(80, 95, 60),
  gpu: numeric(90, 98, 300, 5, false),
  gpu_temperature: numeric(80, 90, 60),
  container: state('warning'),
  systemd: state('warning'),
  host_offline: state('critical'),
};

export const ruleId = (type: AlertType, agentId: string | null) =>
  agentId === null ? type : `${type}@${agentId}`;

export function toEngineRule(type: AlertType, r: RuleSettings): EngineRule {
  return {
    type,
    enabled: r.enabled,
    warning: r.warning,
    critical: r.critical,
    forMs: r.for * 1000,
    hysteresis: r.hysteresis,
    level: r.level,
    intervals: r.intervals,
  };
}

/** A stored rule row's settings as the API shows them. */
export interface StoredRule extends RuleSettings {
  type: AlertType;
  agentId: string | null;
}

/**
 * Every rule in force: the global rule of each type (stored or built in), then the hosts'
 * overrides. Kept in memory; `forHost` is what the engine reads per sample.
 */
export class RuleSet {
  private global = new Map<AlertType, RuleSettings>();
  private overrides = new Map<string, Map<AlertType, RuleSettings>>();
  private engineCache = new Map<string, EngineRule[]>();
  private engineGlobal: EngineRule[] = [];

  constructor(stored: readonly StoredRule[] = []) {
    this.replace(stored);
  }

  replace(stored: readonly StoredRule[]): void {
    this.global = new Map(ALERT_TYPES.map((t) => [t, DEFAULT_RULES[t]]));
    this.overrides = new Map();
    for (const r of stored) {
      const { type, agentId, ...settings } = r;
      if (agentId === null) this.global.set(type, settings);
      else {
        let m = this.overrides.get(agentId);
        if (!m) this.overrides.set(agentId, (m = new Map()));
        m.set(type, settings);
      }
    }
    this.engineCache.clear();
    this.engineGlobal = ALERT_TYPES.map((t) => toEngineRule(t, this.global.get(t) as RuleSettings));
  }

  /** The rules the engine applies to one host. */
  forHost(agentId: string): readonly EngineRule[] {
    const own = this.overrides.get(agentId);
    if (!own) return this.engineGlobal;
    let rules = this.engineCache.get(agentId);
    if (!rules) {
      rules = ALERT_TYPES.map((t) =>
        toEngineRule(t, own.get(t) ?? (this.global.get(t) as RuleSettings)),
      );
      this.engineCache.set(agentId, rules);
    }
    return rules;
  }

  settings(type: AlertType, agentId: string | null): RuleSettings {
    const g = this.global.get(type) as RuleSettings;
    return agentId === null ? g : (this.overrides.get(agentId)?.get(type) ?? g);
  }

  isStored(type: AlertType, agentId: string | null, stored: readonly StoredRule[]): boolean {
    return stored.some((r) => r.type === type && r.agentId === agentId);
  }

  /** The REST contract's `config`: the three thresholds, global or as one host sees them. */
  config(agentId: string | null = null): AlertConfig {
    const pair = (t: AlertType) => {
      const r = this.settings(t, agentId);
      return { warning: r.warning ?? 0, critical: r.critical ?? 0 };
    };
    return { cpu: pair('cpu'), memory: pair('memory'), disk: pair('disk') };
  }

  /** Global rules first (in type order), then each host's overrides. */
  list(stored: readonly StoredRule[]): AlertRule[] {
    const out: AlertRule[] = ALERT_TYPES.map((type) => ({
      id: ruleId(type, null),
      type,
      agent_id: null,
      ...this.settings(type, null),
      customized: this.isStored(type, null, stored),
    }));
    for (const [agentId, m] of [...this.overrides].sort(([a], [b]) => a.localeCompare(b))) {
      for (const type of ALERT_TYPES) {
        const r = m.get(type);
        if (r)
          out.push({ id: ruleId(type, agentId), type, agent_id: agentId, ...r, customized: true });
      }
    }
    return out;
  }
}
