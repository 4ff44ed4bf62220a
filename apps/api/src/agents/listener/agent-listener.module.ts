import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { HistoryModule } from '../../history/history.module';
import { LogsModule } from '../../logs/logs.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { AgentsModule } from '../agents.module';
import { AgentIngestService } from './agent-ingest.service';
import { AgentListenerService } from './agent-listener.service';

/** The agent listener (enrollment routes and the mutual-TLS channel), sample and log ingest. */
@Module({
  imports: [AgentsModule, MetricsModule, HistoryModule, AuditModule, LogsModule],
  providers: [AgentListenerService, AgentIngestService],
  exports: [AgentListenerService],
})
export class AgentListenerModule {}
