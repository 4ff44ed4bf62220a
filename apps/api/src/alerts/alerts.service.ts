import { Injectable } from '@nestjs/common';
import {
  ALERT_TYPES,
  type Alert,
  type AlertConfig,
  type AlertConfigRequest,
  type AlertListQuery,
  type AlertListResponse,
  type AlertRule,
  type AlertRuleListResponse,
  type AlertRuleRequest,
  type AlertType,
  type CreateSilenceRequest,
  type Silence,
  type SilenceListResponse,
} from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import { AppError, conflict, notFound } from '../common/errors';
import type { Principal } from '../common/principal';
import { AlertEvaluator, toAlert } from './alert-evaluator.service';
import { ruleId } from './alert-rules';
import { AlertRuleEntity, SilenceEntity } from './alerts.entities';
import { AlertsRepository } from './alerts.repository';

/** Past silences shown beside the current ones. */
const RECENT_SILENCES = 50;

function toSilence(s: SilenceEntity, now: number): Silence {
  return {
    id: s.id,
    agent_id: s.agentId,
    starts_at: s.startsAt,
    ends_at: s.endsAt,
    reason: s.reason,
    created_by: s.createdBy,
    created_at: s.createdAt,
    active: Date.parse(s.startsAt) <= now && now < Date.parse(s.endsAt),
  };
}

/** Alerts, rules and silences for the API; evaluation itself is AlertEvaluator's. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly evaluator: AlertEvaluator,
  ) {}

  async list(q: AlertListQuery): Promise<AlertListResponse> {
    // Writes are queued behind evaluation: let the ones already made land first.
    await this.evaluator.flush();
    const [rows, total] = await this.repo.findAlerts(q);
    return { alerts: rows.map(toAlert), total, config: this.evaluator.rules.config() };
  }

  async acknowledge(id: string, p: Principal): Promise<Alert> {
    const acked = await this.evaluator.acknowledge(id, p.username);
    if (acked) return acked;
    const stored = await this.repo.findAlert(id);
    if (!stored) throw notFound('Alert');
    throw conflict('The alert is already resolved', { resolved_at: stored.resolvedAt });
  }

  /** The REST contract's thresholds: sets the warning and critical lines given. */
  async setConfig(req: AlertConfigRequest): Promise<AlertConfig> {
    const agentId = req.agent_id ?? null;
    for (const type of ['cpu', 'memory', 'disk'] as const) {
      const pair = req[type];
      if (pair) await this.saveRule(type, agentId, pair);
    }
    await this.evaluator.reloadRules();
    return this.evaluator.rules.config(agentId);
  }

  listRules(): AlertRuleListResponse {
    return { rules: this.evaluator.listRules() };
  }

  async setRule(req: AlertRuleRequest): Promise<AlertRule> {
    const { type, agent_id, ...changes } = req;
    const agentId = agent_id ?? null;
    await this.saveRule(type, agentId, changes);
    await this.evaluator.reloadRules();
    const rule = this.evaluator.listRules().find((r) => r.id === ruleId(type, agentId));
    return rule as AlertRule;
  }

  /** A host's override is removed; a global rule goes back to the built-in default. */
  async removeRule(id: string): Promise<void> {
    const [type, agentId = ''] = id.split('@', 2) as [string, string | undefined];
    if (!(ALERT_TYPES as readonly string[]).includes(type) || id.endsWith('@')) {
      throw notFound('Rule');
    }
    if (!(await this.repo.deleteRule(type, agentId))) throw notFound('Rule');
    await this.evaluator.reloadRules();
  }

  async listSilences(): Promise<SilenceListResponse> {
    const now = Date.now();
    const rows = await this.repo.recentSilences(RECENT_SILENCES);
    return { silences: rows.map((s) => toSilence(s, now)) };
  }

  async createSilence(req: CreateSilenceRequest, p: Principal): Promise<Silence> {
    const now = new Date();
    const s = Object.assign(new SilenceEntity(), {
      id: randomUUID(),
      agentId: req.agent_id ?? null,
      startsAt: new Date(req.starts_at ?? now).toISOString(),
      endsAt: new Date(req.ends_at).toISOString(),
      reason: req.reason,
      createdBy: p.username,
      createdAt: now.toISOString(),
    });
    await this.repo.saveSilence(s);
    await this.evaluator.reloadSilences();
    return toSilence(s, now.getTime());
  }

  async removeSilence(id: string): Promise<void> {
    if (!(await this.repo.deleteSilence(id))) throw notFound('Silence');
    await this.evaluator.reloadSilences();
  }

  private async saveRule(
    type: AlertType,
    agentId: string | null,
    changes: Partial<Omit<AlertRule, 'id' | 'type' | 'agent_id' | 'customized'>>,
  ): Promise<void> {
    const base = this.evaluator.rules.settings(type, agentId);
    const merged = { ...base, ...definedOnly(changes) };
    if (merged.warning !== null && merged.critical !== null && merged.warning > merged.critical) {
      throw new AppError('VALIDATION_FAILED', 'Request validation failed', {
        issues: [{ path: 'warning', message: `must not be above critical (${merged.critical})` }],
      });
    }
    await this.repo.saveRule(
      Object.assign(new AlertRuleEntity(), {
        type,
        agentId: agentId ?? '',
        enabled: merged.enabled,
        warning: merged.warning,
        critical: merged.critical,
        forSeconds: merged.for,
        hysteresis: merged.hysteresis,
        level: merged.level,
        intervals: merged.intervals,
        updatedAt: new Date().toISOString(),
      }),
    );
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
