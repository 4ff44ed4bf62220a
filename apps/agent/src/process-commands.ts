import { ProcessTable } from '@tyto/collector';
import {
  AGENT_COMMAND_ERRORS,
  AGENT_COMMANDS,
  ProcessDetailParamsSchema,
  ProcessListParamsSchema,
  ProcessSignalParamsSchema,
  type ProcessDetailResult,
  type ProcessListResult,
  type SignalOutcomeResult,
} from '@tyto/contracts';
import type { ZodType } from 'zod';

/** What a command handler answers: the reply's `result`, or its `error`. */
export type CommandAnswer =
  { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * The agent's answers to the hub's process commands, from the same ProcessTable (libs/collector)
 * the hub uses for its own host. Every check is made here again whatever the hub checked: the
 * params must match the command's schema (only the allowed signals, an integer pid), and the
 * table refuses pid 0, 1, negatives and this agent's own pid (`protected`), a pid whose start
 * time is not the one the hub showed (`changed`, the pid was reused), and reports the OS's EPERM
 * as `permission`.
 */
export class ProcessCommands {
  private table: ProcessTable | null = null;

  constructor(private readonly opts: { procRoot?: string; protectedPids?: number[] } = {}) {}

  handle(name: string, params: unknown): CommandAnswer {
    switch (name) {
      case AGENT_COMMANDS.PROCESS_LIST:
        return this.run(ProcessListParamsSchema, params, (): ProcessListResult => ({
          processes: this.processes().list(),
        }));
      case AGENT_COMMANDS.PROCESS_DETAIL:
        return this.run(ProcessDetailParamsSchema, params, (p): ProcessDetailResult => ({
          process: this.processes().detail(p.pid),
        }));
      case AGENT_COMMANDS.PROCESS_SIGNAL:
        return this.run(ProcessSignalParamsSchema, params, (p): SignalOutcomeResult =>
          this.processes().signal(p.pid, p.signal, p.start_time),
        );
      default:
        return {
          ok: false,
          error: {
            code: AGENT_COMMAND_ERRORS.UNKNOWN_COMMAND,
            message: `unknown command '${name}'`,
          },
        };
    }
  }

  private run<P>(schema: ZodType<P>, params: unknown, fn: (p: P) => unknown): CommandAnswer {
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'params'}: ${i.message}`)
        .join('; ');
      return {
        ok: false,
        error: { code: AGENT_COMMAND_ERRORS.VALIDATION_FAILED, message: message.slice(0, 1000) },
      };
    }
    try {
      return { ok: true, result: fn(parsed.data) };
    } catch (e) {
      return {
        ok: false,
        error: {
          code: AGENT_COMMAND_ERRORS.INTERNAL_ERROR,
          message: (e as Error).message.slice(0, 1000),
        },
      };
    }
  }

  // Made on the first command: an agent nobody asks about processes keeps no table (nor its
  // per-pid CPU marks) in memory.
  private processes(): ProcessTable {
    this.table ??= new ProcessTable({
      procRoot: this.opts.procRoot,
      protectedPids: this.opts.protectedPids,
    });
    return this.table;
  }
}
