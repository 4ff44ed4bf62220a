import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { HubBus } from '../common/bus';
import { LOG_BATCH_EVENT, type LogBatchEvent, type LogLine } from '@tyto/contracts';
import { startLogReaders, type LogReader } from '@tyto/logs';
import path from 'node:path';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';

/** The hub's own host is the built-in agent `local`. */
export const LOCAL_AGENT_ID = 'local';

/**
 * Reads the hub's own host's logs (journal, files, Docker, per TYTO_LOG_*) with the readers the
 * agent uses, and publishes each batch on the bus as agent `local`, as an agent connection does
 * for its host. Positions live in `<data dir>/log-readers.json`.
 */
@Injectable()
export class LocalLogsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LocalLogsService.name);
  private readers: LogReader[] = [];

  constructor(
    @Inject(TYTO_CONFIG) private readonly config: TytoConfig,
    private readonly bus: HubBus,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    const { readers } = startLogReaders({
      sink: (lines: LogLine[]) => {
        const batch: LogBatchEvent = { agent_id: LOCAL_AGENT_ID, lines };
        this.bus.publish(LOG_BATCH_EVENT, batch);
      },
      report: (message) => this.logger.warn(message),
      files: c.logFiles,
      journal: c.logJournal,
      docker: c.logDocker,
      dockerSocket: c.logDockerSocket,
      journalctl: c.logJournalctl,
      stateFile: path.join(c.dataDir, 'log-readers.json'),
    });
    this.readers = readers;
  }

  /** Before the ingest's last flush (beforeApplicationShutdown): what was read gets stored. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.close()));
    this.readers = [];
  }
}
