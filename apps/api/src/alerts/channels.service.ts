import { Injectable } from '@nestjs/common';
import {
  type Alert,
  type AlertChange,
  type Channel,
  type ChannelListResponse,
  type ChannelType,
  type CreateChannelRequest,
  type EmailSettings,
  type UpdateChannelRequest,
} from '@tyto/contracts';
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../common/errors';
import { ChannelEntity } from './alerts.entities';
import { ChannelsRepository } from './alerts.repository';
import { isBlockedHost, outgoingUrlProblem } from './outgoing-url';

const LEVEL_RANK = { warning: 1, critical: 2 } as const;
// Their URLs hold the credential: once set, only the origin is shown.
const SECRET_URL_TYPES = new Set<ChannelType>(['slack', 'teams']);

const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', 'Request validation failed', {
    issues: [{ path, message }],
  });

export function toChannel(c: ChannelEntity): Channel {
  const type = c.type as ChannelType;
  let url = c.url;
  if (url && SECRET_URL_TYPES.has(type)) url = `${new URL(url).origin}/***`;
  return {
    id: c.id,
    name: c.name,
    type,
    enabled: c.enabled,
    min_level: c.minLevel as Channel['min_level'],
    agent_ids: c.agentIds,
    repeat_interval: c.repeatInterval,
    send_resolved: c.sendResolved,
    url,
    email: c.email as EmailSettings | null,
    has_secret: c.secret !== null,
    last_success_at: c.lastSuccessAt,
    last_error: c.lastError,
    last_error_at: c.lastErrorAt,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** Whether a channel takes this change of this alert. */
export function channelWants(c: ChannelEntity, alert: Alert, change: AlertChange): boolean {
  if (!c.enabled) return false;
  if (change === 'resolved' && !c.sendResolved) return false;
  if (LEVEL_RANK[alert.level] < LEVEL_RANK[c.minLevel as Alert['level']]) return false;
  return c.agentIds === null || c.agentIds.includes(alert.agent_id);
}

const CACHE_MS = 5000;

/** Notification channels (contact points); the queue and sending are NotificationsService's. */
@Injectable()
export class ChannelsService {
  /**
   * Every channel, kept in memory: each alert change is matched against them. Read again after
   * CACHE_MS, so a channel another replica added or changed is seen here soon after.
   */
  private cache: ChannelEntity[] | null = null;
  private cachedAt = 0;

  constructor(private readonly repo: ChannelsRepository) {}

  async all(): Promise<ChannelEntity[]> {
    const now = Date.now();
    if (!this.cache || now - this.cachedAt > CACHE_MS) {
      this.cache = await this.repo.allChannels();
      this.cachedAt = now;
    }
    return this.cache;
  }

  /** One channel as stored now (for a delivery: another replica may have just made it). */
  async current(id: string): Promise<ChannelEntity | null> {
    return (await this.all()).find((c) => c.id === id) ?? (await this.repo.findChannel(id));
  }

  async find(id: string): Promise<ChannelEntity> {
    const c = await this.repo.findChannel(id);
    if (!c) throw notFound('Channel');
    return c;
  }

  async list(): Promise<ChannelListResponse> {
    return { channels: (await this.all()).map(toChannel) };
  }

  async create(req: CreateChannelRequest): Promise<Channel> {
    const now = new Date().toISOString();
    const c = Object.assign(new ChannelEntity(), {
      id: randomUUID(),
      name: req.name,
      type: req.type,
      enabled: req.enabled ?? true,
      minLevel: req.min_level ?? 'warning',
      agentIds: req.agent_ids ?? null,
      repeatInterval: req.repeat_interval ?? 0,
      sendResolved: req.send_resolved ?? true,
      url: req.type === 'email' ? null : (req.url ?? null),
      email: req.type === 'email' ? (req.email ?? null) : null,
      secret: req.secret ?? null,
      lastSuccessAt: null,
      lastError: null,
      lastErrorAt: null,
      createdAt: now,
      updatedAt: now,
    });
    checkTarget(c);
    await this.repo.saveChannel(c);
    this.cache = null;
    return toChannel(c);
  }

  async update(id: string, req: UpdateChannelRequest): Promise<Channel> {
    const c = await this.find(id);
    if (req.name !== undefined) c.name = req.name;
    if (req.enabled !== undefined) c.enabled = req.enabled;
    if (req.min_level !== undefined) c.minLevel = req.min_level;
    if (req.agent_ids !== undefined) c.agentIds = req.agent_ids;
    if (req.repeat_interval !== undefined) c.repeatInterval = req.repeat_interval;
    if (req.send_resolved !== undefined) c.sendResolved = req.send_resolved;
    if (req.url !== undefined && c.type !== 'email') c.url = req.url;
    if (req.email !== undefined && c.type === 'email') c.email = req.email;
    if (req.secret !== undefined) c.secret = req.secret;
    c.updatedAt = new Date().toISOString();
    checkTarget(c);
    await this.repo.saveChannel(c);
    this.cache = null;
    return toChannel(c);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.deleteChannel(id))) throw notFound('Channel');
    this.cache = null;
  }

  async recordSuccess(id: string, at: string): Promise<void> {
    await this.repo.updateChannel(id, { lastSuccessAt: at });
    this.cache = null;
  }

  async recordError(id: string, error: string, at: string): Promise<void> {
    await this.repo.updateChannel(id, { lastError: error.slice(0, 1024), lastErrorAt: at });
    this.cache = null;
  }
}

function checkTarget(c: ChannelEntity): void {
  if (c.type === 'email') {
    const email = c.email as EmailSettings | null;
    if (!email) throw invalid('email', 'required for email channels');
    if (isBlockedHost(email.host)) {
      throw invalid('email.host', 'must not be a link-local or cloud metadata address');
    }
    return;
  }
  if (!c.url) throw invalid('url', `required for ${c.type} channels`);
  const problem = outgoingUrlProblem(c.url);
  if (problem) throw invalid('url', problem);
}
