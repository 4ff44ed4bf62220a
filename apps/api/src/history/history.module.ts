import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { ExportService } from './export.service';
import { HistoryController } from './history.controller';
import { HistoryQueryService } from './history-query.service';
import { HistoryReadRepository } from './history-read.repository';
import { HistoryRepository } from './history.repository';
import { HistoryWriterService } from './history-writer.service';
import { RetentionJob } from './retention.job';
import { RollupJob } from './rollup.job';

/** Metrics history (raw samples and rollups), the history and export routes. */
@Module({
  imports: [MetricsModule],
  controllers: [HistoryController],
  providers: [
    HistoryReadRepository,
    HistoryRepository,
    HistoryWriterService,
    RollupJob,
    RetentionJob,
    HistoryQueryService,
    ExportService,
  ],
  exports: [HistoryWriterService],
})
export class HistoryModule {}
