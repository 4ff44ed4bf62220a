import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module';
import { AgentLogsService } from './agent-logs.service';
import { LocalLogsService } from './local-logs.service';
import { LogIngestService } from './log-ingest.service';
import { LogRetentionJob } from './log-retention.job';
import { LOG_STORE, type LogStore } from './log-store';
import { LogStreamHub } from './log-stream-hub.service';
import { LogsController } from './logs.controller';
import { LogsService } from './logs.service';
import { PostgresLogStore } from './postgres-log-store';
import { SqliteLogStore } from './sqlite-log-store';

/**
 * Logs: the local host's readers, remote agents' batches (AgentLogsService, used by the agent
 * listener), ingest from the bus, retention, query, histogram and live tail.
 */
@Module({
  imports: [AuthModule],
  controllers: [LogsController],
  providers: [
    {
      provide: LOG_STORE,
      inject: [getDataSourceToken()],
      useFactory: (ds: DataSource): LogStore =>
        ds.options.type === 'postgres' ? new PostgresLogStore(ds) : new SqliteLogStore(ds),
    },
    LogIngestService,
    LogRetentionJob,
    LogsService,
    LogStreamHub,
    LocalLogsService,
    AgentLogsService,
  ],
  exports: [LogStreamHub, AgentLogsService],
})
export class LogsModule {}
