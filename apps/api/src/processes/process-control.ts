import type { ProcessDetail, ProcessInfo, SignalName } from '@tyto/contracts';
import type { SignalOutcome } from '@tyto/collector';

export type { SignalOutcome };

/**
 * Process access on one host. The hub holds one per reachable host: `local` is answered in
 * process (LocalProcessControl); a remote agent's goes over its channel as commands, and the
 * agent makes the same checks itself (pid 0/1, its own pid, the start time) with the same
 * ProcessTable from libs/collector, never trusting the hub about them.
 */
export interface ProcessControl {
  list(): Promise<ProcessInfo[]>;
  /** Null when the process is gone. */
  detail(pid: number): Promise<Omit<ProcessDetail, 'agent_id'> | null>;
  signal(pid: number, signal: SignalName, expectedStartTime?: string): Promise<SignalOutcome>;
}

/**
 * Where a host's ProcessControl comes from, keyed by agent id: `local`, then any registered
 * (`ProcessesService.register`), then the enrolled agents' channels (RemoteProcessControls),
 * whose calls answer 404 for an unknown id and 503 AGENT_OFFLINE for one not connected. A
 * resolver answers null for an id it does not serve.
 */
export type ProcessControlResolver = (agentId: string) => ProcessControl | null;
