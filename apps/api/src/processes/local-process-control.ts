import { Injectable } from '@nestjs/common';
import type { ProcessDetail, ProcessInfo, SignalName } from '@tyto/contracts';
import { ProcessTable } from '@tyto/collector';
import type { ProcessControl, SignalOutcome } from './process-control';

/** The hub's own host (`local`), read from /proc in process. */
@Injectable()
export class LocalProcessControl implements ProcessControl {
  private readonly table = new ProcessTable();

  list(): Promise<ProcessInfo[]> {
    return Promise.resolve(this.table.list());
  }

  detail(pid: number): Promise<Omit<ProcessDetail, 'agent_id'> | null> {
    return Promise.resolve(this.table.detail(pid));
  }

  signal(pid: number, signal: SignalName, expectedStartTime?: string): Promise<SignalOutcome> {
    return Promise.resolve(this.table.signal(pid, signal, expectedStartTime));
  }
}
