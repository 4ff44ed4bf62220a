import { Injectable } from '@nestjs/common';
import {
  ALLOWED_SIGNALS,
  type ProcessDetail,
  type ProcessInfo,
  type ProcessListQuery,
  type ProcessListResponse,
  type SignalName,
  type SignalResponse,
} from '@tyto/contracts';
import { AppError } from '../common/errors';
import { LOCAL_AGENT_ID } from '../metrics/local-sampler.service';
import { LocalProcessControl } from './local-process-control';
import type { ProcessControl, ProcessControlResolver } from './process-control';
import { RemoteProcessControls } from './remote-process-control';

const DEFAULT_LIMIT = 1000;
const TEXT_SORTS = new Set(['name', 'user', 'state']);

type Sortable = Pick<ProcessInfo, 'pid' | 'name' | 'user' | 'state' | 'cpu' | 'memory' | 'threads'>;

/** What the caller learns of a signal attempt for the audit entry, whatever its outcome. */
export interface SignalFacts {
  name?: string;
  result?: string;
}

/**
 * Lists, describes and signals the processes of any host through that host's ProcessControl.
 * The hub's own checks (allowed signal, pid > 1) come first; the host repeats the ones that
 * only it can make (its own pid, the start time, the OS's permission).
 */
@Injectable()
export class ProcessesService {
  private readonly resolvers: ProcessControlResolver[];

  constructor(
    local: LocalProcessControl,
    private readonly remote: RemoteProcessControls,
  ) {
    this.resolvers = [(id) => (id === LOCAL_AGENT_ID ? local : null)];
  }

  /**
   * Adds a source of hosts' process control, asked before the enrolled agents' channels (tests
   * plug a host in here).
   */
  register(resolver: ProcessControlResolver): void {
    this.resolvers.push(resolver);
  }

  async list(q: ProcessListQuery): Promise<ProcessListResponse> {
    const agentId = q.agent_id ?? LOCAL_AGENT_ID;
    const all = await this.control(agentId).list();
    const needle = q.q?.toLowerCase();
    const matching = needle
      ? all.filter(
          (p) =>
            String(p.pid) === needle ||
            p.name.toLowerCase().includes(needle) ||
            p.user.toLowerCase().includes(needle) ||
            p.cmdline.toLowerCase().includes(needle),
        )
      : all;
    const sort = q.sort ?? 'cpu';
    const order = q.order ?? (TEXT_SORTS.has(sort) ? 'asc' : 'desc');
    const dir = order === 'asc' ? 1 : -1;
    const key = (p: ProcessInfo): string | number =>
      sort === 'start_time' ? p.startTime : p[sort as keyof Sortable];
    matching.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' ? x - (y as number) : String(x).localeCompare(String(y));
      return c * dir || a.pid - b.pid;
    });
    return {
      agent_id: agentId,
      total: all.length,
      processes: matching.slice(0, q.limit ?? DEFAULT_LIMIT),
    };
  }

  async detail(agentId: string, pid: number): Promise<ProcessDetail> {
    const found = await this.control(agentId).detail(pid);
    if (!found) throw processGone(pid);
    return { agent_id: agentId, ...found };
  }

  /** Sends the signal; `facts` is filled in as the attempt goes, for the audit entry. */
  async signal(
    agentId: string,
    pid: number,
    signal: SignalName,
    startTime: string | undefined,
    facts: SignalFacts,
  ): Promise<SignalResponse> {
    const control = this.control(agentId);
    const outcome = await control.signal(pid, signal, startTime);
    if (outcome.name !== undefined) facts.name = outcome.name;
    if (outcome.ok) {
      facts.result = 'sent';
      return {
        agent_id: agentId,
        pid,
        name: outcome.name,
        signal,
        number: ALLOWED_SIGNALS[signal],
      };
    }
    facts.result = outcome.reason;
    switch (outcome.reason) {
      case 'protected':
        throw new AppError(
          'PROCESS_PROTECTED',
          `Process ${pid} may not be signalled (init or the hub/agent itself)`,
          { pid },
        );
      case 'not_found':
        throw processGone(pid);
      case 'changed':
        throw new AppError(
          'PROCESS_CHANGED',
          `Process ${pid} is not the one shown: it started at another time (the pid was reused)`,
          { pid },
        );
      case 'permission':
        throw new AppError(
          'SIGNAL_NOT_PERMITTED',
          `The operating system refused to signal process ${pid} (EPERM): the hub's user may not signal it`,
          { pid },
        );
    }
  }

  private control(agentId: string): ProcessControl {
    for (const resolve of this.resolvers) {
      const control = resolve(agentId);
      if (control) return control;
    }
    // Any other id is an enrolled agent's (or 404 from the registry on first use).
    return this.remote.for(agentId);
  }
}

const processGone = (pid: number) =>
  new AppError('PROCESS_NOT_FOUND', `Process ${pid} not found`, { pid });
