import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LatestSamplesService } from './latest-samples.service';
import { LocalSamplerService } from './local-sampler.service';
import { SamplerIntervalListener } from './sampler-interval.listener';
import { StreamHub } from './stream-hub.service';
import { StreamController } from './stream.controller';

@Module({
  imports: [AuthModule],
  controllers: [StreamController],
  providers: [LocalSamplerService, LatestSamplesService, SamplerIntervalListener, StreamHub],
  exports: [LocalSamplerService, LatestSamplesService, StreamHub],
})
export class MetricsModule {}
