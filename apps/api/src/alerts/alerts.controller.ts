import { Controller, Delete, Get, HttpCode, Post, Put, Res } from '@nestjs/common';
import {
  AlertConfigRequestSchema,
  AlertConfigSchema,
  AlertListQuerySchema,
  AlertListResponseSchema,
  AlertRuleListResponseSchema,
  AlertRuleRequestSchema,
  AlertRuleSchema,
  AlertSchema,
  ChannelListResponseSchema,
  ChannelSchema,
  ChannelTestResponseSchema,
  CreateChannelRequestSchema,
  CreateSilenceRequestSchema,
  EmptyRequestSchema,
  SilenceListResponseSchema,
  SilenceSchema,
  UpdateChannelRequestSchema,
  type Alert,
  type AlertConfig,
  type AlertConfigRequest,
  type AlertListQuery,
  type AlertListResponse,
  type AlertRule,
  type AlertRuleListResponse,
  type AlertRuleRequest,
  type Channel,
  type ChannelListResponse,
  type ChannelTestResponse,
  type CreateChannelRequest,
  type CreateSilenceRequest,
  type Silence,
  type SilenceListResponse,
  type UpdateChannelRequest,
} from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidBody, ValidParam, ValidQuery } from '../common/validation';
import { StreamHub } from '../metrics/stream-hub.service';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { AlertsService } from './alerts.service';
import { ChannelsService } from './channels.service';
import { NotificationsService } from './notifications.service';

@Controller('api/v1/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly streams: StreamHub,
  ) {}

  /** SSE: `event: alert` for every change of any alert (the toolbar's bell listens here). */
  @Get('stream')
  @ApiDoc({ summary: 'Live alert changes (Server-Sent Events)', produces: ['text/event-stream'] })
  @Auth('alerts:view')
  stream(
    @ValidQuery(EmptyRequestSchema) _q: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): void {
    reply.hijack();
    this.streams.open(reply.raw, principal, 'alerts:view', { fleet: false, alertsOnly: true });
  }

  @Get()
  @ApiDoc({
    summary: 'Get current alerts (or the history) and the thresholds',
    response: AlertListResponseSchema,
  })
  @Auth('alerts:view')
  list(@ValidQuery(AlertListQuerySchema) q: AlertListQuery): Promise<AlertListResponse> {
    return this.alerts.list(q);
  }

  @Post('config')
  @ApiDoc({ summary: 'Update alert thresholds', response: AlertConfigSchema })
  @Auth('alerts:manage')
  @AuditAction('alert.config')
  @HttpCode(200)
  setConfig(
    @ValidBody(AlertConfigRequestSchema) body: AlertConfigRequest,
    @Audit() note: AuditNote,
  ): Promise<AlertConfig> {
    note.details = { ...body };
    return this.alerts.setConfig(body);
  }

  @Post(':id/acknowledge')
  @ApiDoc({ summary: 'Acknowledge an alert', response: AlertSchema })
  @Auth('alerts:acknowledge')
  @AuditAction('alert.acknowledge')
  @HttpCode(200)
  async acknowledge(
    @ValidParam('id') id: string,
    @ValidBody(EmptyRequestSchema) _body: unknown,
    @CurrentPrincipal() p: Principal,
    @Audit() note: AuditNote,
  ): Promise<Alert> {
    const alert = await this.alerts.acknowledge(id, p);
    note.details = { agent_id: alert.agent_id, type: alert.type, subject: alert.subject };
    return alert;
  }

  @Get('rules')
  @ApiDoc({
    summary: 'List alert rules (global and per host)',
    response: AlertRuleListResponseSchema,
  })
  @Auth('alerts:view')
  rules(): AlertRuleListResponse {
    return this.alerts.listRules();
  }

  @Post('rules')
  @ApiDoc({ summary: 'Set a global rule or a host’s override', response: AlertRuleSchema })
  @Auth('alerts:manage')
  @AuditAction('alert.rule.set')
  @HttpCode(200)
  async setRule(
    @ValidBody(AlertRuleRequestSchema) body: AlertRuleRequest,
    @Audit() note: AuditNote,
  ): Promise<AlertRule> {
    note.details = { ...body };
    const rule = await this.alerts.setRule(body);
    note.target = rule.id;
    return rule;
  }

  @Delete('rules/:id')
  @ApiDoc({ summary: 'Remove a host’s override, or reset a global rule to its default' })
  @Auth('alerts:manage')
  @AuditAction('alert.rule.remove')
  @HttpCode(204)
  async removeRule(@ValidParam('id') id: string): Promise<void> {
    await this.alerts.removeRule(id);
  }

  @Get('silences')
  @ApiDoc({ summary: 'List current and recent silences', response: SilenceListResponseSchema })
  @Auth('alerts:view')
  silences(): Promise<SilenceListResponse> {
    return this.alerts.listSilences();
  }

  @Post('silences')
  @ApiDoc({ summary: 'Create a silence (maintenance window)', response: SilenceSchema })
  @Auth('alerts:manage')
  @AuditAction('alert.silence.create')
  async createSilence(
    @ValidBody(CreateSilenceRequestSchema) body: CreateSilenceRequest,
    @CurrentPrincipal() p: Principal,
    @Audit() note: AuditNote,
  ): Promise<Silence> {
    const s = await this.alerts.createSilence(body, p);
    note.target = s.id;
    note.details = {
      agent_id: s.agent_id,
      starts_at: s.starts_at,
      ends_at: s.ends_at,
      reason: s.reason,
    };
    return s;
  }

  @Delete('silences/:id')
  @ApiDoc({ summary: 'End and remove a silence' })
  @Auth('alerts:manage')
  @AuditAction('alert.silence.remove')
  @HttpCode(204)
  async removeSilence(@ValidParam('id') id: string): Promise<void> {
    await this.alerts.removeSilence(id);
  }
}

/** Notification channels (contact points). */
@Controller('api/v1/alerts/channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly notifications: NotificationsService,
  ) {}

  @Get()
  @ApiDoc({ summary: 'List notification channels', response: ChannelListResponseSchema })
  @Auth('alerts:manage')
  list(): Promise<ChannelListResponse> {
    return this.channels.list();
  }

  @Post()
  @ApiDoc({ summary: 'Create a notification channel', response: ChannelSchema })
  @Auth('alerts:manage')
  @AuditAction('alert.channel.create')
  async create(
    @ValidBody(CreateChannelRequestSchema) body: CreateChannelRequest,
    @Audit() note: AuditNote,
  ): Promise<Channel> {
    note.details = { name: body.name, type: body.type };
    const c = await this.channels.create(body);
    note.target = c.id;
    return c;
  }

  @Put(':id')
  @ApiDoc({ summary: 'Update a notification channel', response: ChannelSchema })
  @Auth('alerts:manage')
  @AuditAction('alert.channel.update')
  update(
    @ValidParam('id') id: string,
    @ValidBody(UpdateChannelRequestSchema) body: UpdateChannelRequest,
    @Audit() note: AuditNote,
  ): Promise<Channel> {
    // Which fields changed, never the secret itself.
    note.details = { fields: Object.keys(body) };
    return this.channels.update(id, body);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Delete a notification channel' })
  @Auth('alerts:manage')
  @AuditAction('alert.channel.delete')
  @HttpCode(204)
  async remove(@ValidParam('id') id: string): Promise<void> {
    await this.channels.remove(id);
  }

  @Post(':id/test')
  @ApiDoc({
    summary: 'Queue a test notification to a channel',
    response: ChannelTestResponseSchema,
  })
  @Auth('alerts:manage')
  @AuditAction('alert.channel.test')
  @HttpCode(202)
  async test(
    @ValidParam('id') id: string,
    @ValidBody(EmptyRequestSchema) _body: unknown,
  ): Promise<ChannelTestResponse> {
    const channel = await this.channels.find(id);
    return { delivery_id: await this.notifications.test(channel) };
  }
}
