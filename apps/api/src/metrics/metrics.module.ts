import { Module } from '@nestjs/common';
import { LatestSamplesService } from './latest-samples.service';
import { LocalSamplerService } from './local-sampler.service';
import { SamplerIntervalListener } from './sampler-interval.listener';
import { StreamController } from './stream.controller';

@Module({
  controllers: [StreamController],
  providers: [LocalSamplerService, LatestSamplesService, SamplerIntervalListener],
  exports: [LocalSamplerService, LatestSamplesService],
})
export class MetricsModule {}
