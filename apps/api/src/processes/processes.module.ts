import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { MetricsModule } from '../metrics/metrics.module';
import { LocalProcessControl } from './local-process-control';
import { ProcessesController } from './processes.controller';
import { ProcessesService } from './processes.service';
import { RemoteProcessControls } from './remote-process-control';

@Module({
  // Remote hosts: commands over each agent's channel, through SampleSources (metrics), for the
  // agents the registry (AgentsService) knows.
  imports: [MetricsModule, AgentsModule],
  controllers: [ProcessesController],
  providers: [LocalProcessControl, RemoteProcessControls, ProcessesService],
  exports: [ProcessesService],
})
export class ProcessesModule {}
