import { Module } from '@nestjs/common';
import { HistoryController } from './history.controller';
import { HistoryQueryService } from './history-query.service';
import { HistoryRepository } from './history.repository';
import { HistoryWriterService } from './history-writer.service';
import { RetentionJob } from './retention.job';
import { RollupJob } from './rollup.job';

/** Metrics history: raw samples, rollups, retention and the history routes. */
@Module({
  controllers: [HistoryController],
  providers: [
    HistoryRepository,
    HistoryWriterService,
    RollupJob,
    RetentionJob,
    HistoryQueryService,
  ],
})
export class HistoryModule {}
