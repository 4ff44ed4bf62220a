import { Injectable } from '@nestjs/common';
import {
  AGENT_COMMAND_ERRORS,
  AGENT_COMMANDS,
  ProcessDetailResultSchema,
  ProcessListResultSchema,
  SignalOutcomeSchema,
  type ProcessDetail,
  type ProcessInfo,
  type ProcessSignalParams,
  type SignalName,
} from '@tyto/contracts';
import type { ZodType } from 'zod';
import { AgentsService } from '../agents/agents.service';
import { AppError } from '../common/errors';
import { COMMAND_TIMEOUT_MS, SampleSources } from '../metrics/sample-source';
import type { ProcessControl, SignalOutcome } from './process-control';

/**
 * The process control of enrolled agents, as commands over their channel
 * (`SampleSources.command`, so an agent connected to another replica is reached the same way).
 * The agent makes every check itself (libs/collector's ProcessTable); its answers come back
 * validated against the contract, and its refusals map to the same codes as the local host's.
 */
@Injectable()
export class RemoteProcessControls {
  constructor(
    private readonly sources: SampleSources,
    private readonly agents: AgentsService,
  ) {}

  /** The control of agent `agentId`; its calls answer 404 for an unknown id, 503 when offline. */
  for(agentId: string): ProcessControl {
    return {
      list: async (): Promise<ProcessInfo[]> =>
        (await this.ask(agentId, AGENT_COMMANDS.PROCESS_LIST, {}, ProcessListResultSchema))
          .processes,
      detail: async (pid: number): Promise<Omit<ProcessDetail, 'agent_id'> | null> =>
        (await this.ask(agentId, AGENT_COMMANDS.PROCESS_DETAIL, { pid }, ProcessDetailResultSchema))
          .process,
      signal: (pid: number, signal: SignalName, startTime?: string): Promise<SignalOutcome> => {
        const params: ProcessSignalParams = { pid, signal };
        if (startTime !== undefined) params.start_time = startTime;
        return this.ask(agentId, AGENT_COMMANDS.PROCESS_SIGNAL, params, SignalOutcomeSchema);
      },
    };
  }

  private async ask<T>(
    agentId: string,
    name: string,
    params: Record<string, unknown>,
    schema: ZodType<T>,
  ): Promise<T> {
    // 404 for an id no agent has; a known one that is not connected is 503 AGENT_OFFLINE below.
    await this.agents.get(agentId);
    let result: unknown;
    try {
      result = await this.sources.command(agentId, name, params, COMMAND_TIMEOUT_MS);
    } catch (e) {
      throw agentRefusal(agentId, name, e);
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) {
      throw new AppError('INTERNAL_ERROR', `agent '${agentId}' sent a malformed '${name}' reply`, {
        agent_id: agentId,
      });
    }
    return parsed.data;
  }
}

/** An agent's `ok: false` reply (BAD_REQUEST with the agent's code) as the hub's own error. */
function agentRefusal(agentId: string, name: string, e: unknown): unknown {
  if (!(e instanceof AppError) || e.code !== 'BAD_REQUEST') return e;
  const agentCode = (e.details as { agent_code?: unknown }).agent_code;
  const details = { agent_id: agentId, agent_code: agentCode ?? null };
  switch (agentCode) {
    case AGENT_COMMAND_ERRORS.VALIDATION_FAILED:
      return new AppError('VALIDATION_FAILED', `agent '${agentId}' refused: ${e.message}`, details);
    case AGENT_COMMAND_ERRORS.UNKNOWN_COMMAND:
      return new AppError(
        'BAD_REQUEST',
        `agent '${agentId}' does not know '${name}': it is older than this hub, update it`,
        details,
      );
    default:
      return new AppError('INTERNAL_ERROR', `agent '${agentId}' failed: ${e.message}`, details);
  }
}
