import { Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  AgentCaResponseSchema,
  AgentIdSchema,
  AgentListResponseSchema,
  AgentSchema,
  CreateAgentRequestSchema,
  CreateAgentResponseSchema,
  EmptyRequestSchema,
  EnrollmentDecisionResponseSchema,
  PendingEnrollmentListResponseSchema,
  type Agent,
  type AgentCaResponse,
  type AgentListResponse,
  type CreateAgentRequest,
  type CreateAgentResponse,
  type EmptyRequest,
  type EnrollmentDecisionResponse,
  type PendingEnrollmentListResponse,
} from '@tyto/contracts';
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { ValidBody, ValidParam } from '../common/validation';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { AgentsService, type HubAddress } from './agents.service';

const RequestIdSchema = z.uuid();

// Only a plain host[:port] goes into the install line shown back to the user.
const HOST_HEADER = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

function hubAddressOf(req: FastifyRequest): HubAddress {
  const host = req.host;
  if (!host || !HOST_HEADER.test(host))
    return { hubUrl: `${req.protocol}://localhost`, requestHost: null };
  return { hubUrl: `${req.protocol}://${host}`, requestHost: req.hostname.replace(/^\[|\]$/g, '') };
}

/** The fleet registry: agents, their enrollment requests and the CA they trust. */
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiDoc({
    summary: 'List agents (the hub’s own host, `local`, included)',
    response: AgentListResponseSchema,
  })
  @Auth('agents:view')
  async list(): Promise<AgentListResponse> {
    return { agents: await this.agents.list() };
  }

  @Post()
  @ApiDoc({
    summary: 'Pre-register an agent: a one-time enrollment token and the install line',
    response: CreateAgentResponseSchema,
  })
  @Auth('agents:manage')
  @AuditAction('agent.create')
  async create(
    @ValidBody(CreateAgentRequestSchema) body: CreateAgentRequest,
    @Req() req: FastifyRequest,
    @Audit() note: AuditNote,
  ): Promise<CreateAgentResponse> {
    note.target = body.id;
    note.details = { name: body.name };
    const created = await this.agents.create(body, hubAddressOf(req));
    note.details = { name: body.name, token_expires_at: created.expires_at };
    return created;
  }

  @Get('ca')
  @ApiDoc({
    summary: 'The agent CA: its certificate and SHA-256 fingerprint',
    response: AgentCaResponseSchema,
  })
  @Auth('agents:view')
  ca(): AgentCaResponse {
    return this.agents.ca();
  }

  @Get('pending')
  @ApiDoc({
    summary: 'Enrollment requests waiting for approval',
    response: PendingEnrollmentListResponseSchema,
  })
  @Auth('agents:view')
  async pending(): Promise<PendingEnrollmentListResponse> {
    return { pending: await this.agents.listPending() };
  }

  @Post('pending/:id/approve')
  @ApiDoc({
    summary: 'Approve an enrollment request: issue the agent its certificate',
    response: EnrollmentDecisionResponseSchema,
  })
  @Auth('agents:manage')
  @AuditAction('agent.approve')
  @HttpCode(200)
  async approve(
    @ValidParam('id', RequestIdSchema) id: string,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
    @Audit() note: AuditNote,
  ): Promise<EnrollmentDecisionResponse> {
    const decided = await this.agents.approve(id);
    note.details = { agent_id: decided.agent_id, serial: decided.agent?.certificate_serial };
    return decided;
  }

  @Post('pending/:id/reject')
  @ApiDoc({
    summary: 'Reject an enrollment request (for good)',
    response: EnrollmentDecisionResponseSchema,
  })
  @Auth('agents:manage')
  @AuditAction('agent.reject')
  @HttpCode(200)
  async reject(
    @ValidParam('id', RequestIdSchema) id: string,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
    @Audit() note: AuditNote,
  ): Promise<EnrollmentDecisionResponse> {
    const decided = await this.agents.reject(id);
    note.details = { agent_id: decided.agent_id };
    return decided;
  }

  @Get(':id')
  @ApiDoc({ summary: 'One agent', response: AgentSchema })
  @Auth('agents:view')
  get(@ValidParam('id', AgentIdSchema) id: string): Promise<Agent> {
    return this.agents.get(id);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Delete an agent (its certificates stay revoked)' })
  @Auth('agents:manage')
  @AuditAction('agent.delete')
  @HttpCode(204)
  async remove(
    @ValidParam('id', AgentIdSchema) id: string,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
    @Audit() note: AuditNote,
  ): Promise<void> {
    const agent = await this.agents.remove(id);
    note.details = { name: agent.name, serial: agent.certificate_serial };
  }

  @Post(':id/revoke')
  @ApiDoc({ summary: 'Revoke an agent’s certificate and close its channel', response: AgentSchema })
  @Auth('agents:manage')
  @AuditAction('agent.revoke')
  @HttpCode(200)
  async revoke(
    @ValidParam('id', AgentIdSchema) id: string,
    @ValidBody(EmptyRequestSchema) _body: EmptyRequest,
    @Audit() note: AuditNote,
  ): Promise<Agent> {
    const agent = await this.agents.revoke(id);
    note.details = { serial: agent.certificate_serial };
    return agent;
  }
}
