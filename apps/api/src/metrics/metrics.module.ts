import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LatestSamplesService } from './latest-samples.service';
import { LocalSamplerService } from './local-sampler.service';
import { SampleSources } from './sample-source';
import { StreamHub } from './stream-hub.service';
import { StreamController } from './stream.controller';

@Module({
  imports: [AuthModule],
  controllers: [StreamController],
  providers: [LocalSamplerService, LatestSamplesService, SampleSources, StreamHub],
  exports: [LocalSamplerService, LatestSamplesService, SampleSources, StreamHub],
})
export class MetricsModule {}
